package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ehrbridge/ehrbridge/config"
	"github.com/ehrbridge/ehrbridge/store/sqlite"
)

// runDeadLetters lists the records a tenant's pipeline rejected, with their
// reasons. Payloads hold patient data and are not printed.
func runDeadLetters(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dead-letters", flag.ContinueOnError)
	demoDir := fs.String("demo", "ehrbridge-demo", "data `folder` of a demo (instead of --config)")
	configPath := fs.String("config", "", "configuration `file` of a deployment")
	tenant := fs.String("tenant", "", "tenant `id` (default: the demo's tenant, or the only tenant of the configuration)")
	limit := fs.Int("limit", 100, "maximum `number` of dead letters to list, oldest first (0 lists all)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	storeDir, tenantID, err := deadLetterTarget(*configPath, *demoDir, *tenant)
	if err != nil {
		return err
	}
	st, err := sqlite.Open(storeDir, sqlite.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	ts, err := st.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	letters, err := ts.DeadLetters(ctx, *limit)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tRECEIVED\tSOURCE\tSOURCE KEY\tREASON")
	for _, d := range letters {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", d.ID, d.ReceivedAt.UTC().Format(time.RFC3339),
			d.Source, d.SourceKey, strings.ReplaceAll(d.Reason, "\n", " "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d dead letter(s) for tenant %s\n", len(letters), tenantID)
	return nil
}

// deadLetterTarget finds the store folder and tenant from a configuration
// or a demo folder.
func deadLetterTarget(configPath, demoDir, tenant string) (storeDir, tenantID string, err error) {
	if configPath == "" {
		state, err := readDemoState(demoDir)
		if err != nil {
			return "", "", err
		}
		if tenant == "" {
			tenant = state.Tenant
		}
		return filepath.Join(demoDir, "store"), strings.ToLower(tenant), nil
	}
	cfg, err := config.Load(configPath)
	if err != nil {
		return "", "", err
	}
	if tenant == "" {
		if len(cfg.Tenants) != 1 {
			return "", "", errors.New("the configuration has several tenants: name one with --tenant")
		}
		tenant = cfg.Tenants[0].ID
	}
	return cfg.Store.Dir, strings.ToLower(tenant), nil
}
