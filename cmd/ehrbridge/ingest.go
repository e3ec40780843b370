package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ehrbridge/ehrbridge/adapters/feed"
	"github.com/ehrbridge/ehrbridge/adapters/hl7"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "hl7" {
		fmt.Fprintln(stderr, "usage: ehrbridge ingest hl7 [--demo DIR | --nats URL --tenant ID --source NAME] FILE...")
		return errUsage
	}
	fs := flag.NewFlagSet("ingest hl7", flag.ContinueOnError)
	demoDir := fs.String("demo", "ehrbridge-demo", "data `folder` of a running demo; its demo.json gives the NATS URL, tenant and source")
	natsURL := fs.String("nats", "", "`URL` of the NATS server (instead of --demo)")
	tenant := fs.String("tenant", "", "tenant `id` whose feed receives the messages (with --nats)")
	source := fs.String("source", "", "HL7 source `name` of the tenant (with --nats)")
	user := fs.String("nats-user", "", "NATS `user` (with --nats); the embedded server's is ingest-<tenant id>")
	passwordFile := fs.String("nats-password-file", "", "`file` holding the NATS user's password (with --nats); "+
		"the embedded server keeps it in <data_dir>/keys/nats-ingest-<tenant id>")
	tokenFile := fs.String("nats-token-file", "", "`file` holding a NATS token, for an external server that uses tokens (with --nats)")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "ingest hl7: name at least one HL7 file")
		return errUsage
	}
	var token, password string
	if *natsURL == "" {
		state, err := readDemoState(*demoDir)
		if err != nil {
			return err
		}
		*natsURL, *tenant, *source = state.NATS, state.Tenant, state.HL7Source
		*user, password = state.NATSUser, state.NATSPassword
	} else {
		var err error
		if token, err = readSecretFile("--nats-token-file", *tokenFile); err != nil {
			return err
		}
		if password, err = readSecretFile("--nats-password-file", *passwordFile); err != nil {
			return err
		}
	}
	if err := feed.ValidateToken("--tenant", *tenant); err != nil {
		return err
	}
	if err := feed.ValidateToken("--source", *source); err != nil {
		return err
	}
	opts := []nats.Option{nats.Name("ehrbridge ingest"), nats.Timeout(5 * time.Second)}
	if token != "" {
		opts = append(opts, nats.Token(token))
	}
	if *user != "" {
		// A publish-only account may receive replies under its own prefix only.
		opts = append(opts, nats.UserInfo(*user, password), nats.CustomInboxPrefix(feed.InboxPrefix(*user)))
	}
	nc, err := nats.Connect(*natsURL, opts...)
	if err != nil {
		return fmt.Errorf("connect to NATS at %s: %w (is the demo or deployment running?)", *natsURL, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	return publishFiles(ctx, feed.NewPublisher(js), feed.Subject(*tenant, *source), fs.Args(), stdout, stderr)
}

// publishFiles publishes every message of every file and reports per file.
// A file that cannot be read or split is named and skipped; the others
// are still published.
func publishFiles(ctx context.Context, pub *feed.Publisher, subject string, files []string, stdout, stderr io.Writer) error {
	var failed []string
	total, dups := 0, 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "%s: cannot read: %v\n", file, err)
			failed = append(failed, file)
			continue
		}
		messages, err := hl7.Split(data)
		if err != nil || len(messages) == 0 {
			if err == nil {
				err = errors.New("no HL7 message found (a message starts with an MSH segment)")
			}
			fmt.Fprintf(stderr, "%s: cannot split into HL7 messages: %v\n", file, err)
			failed = append(failed, file)
			continue
		}
		fileDups := 0
		for i, m := range messages {
			res, err := pub.Publish(ctx, subject, m)
			if err != nil {
				return fmt.Errorf("%s: publish message %d: %w", file, i+1, err)
			}
			if res.Duplicate {
				fileDups++
			}
		}
		fmt.Fprintf(stdout, "%s: published %d message(s)", file, len(messages)-fileDups)
		if fileDups > 0 {
			fmt.Fprintf(stdout, ", %d already on the feed", fileDups)
		}
		fmt.Fprintln(stdout)
		total += len(messages) - fileDups
		dups += fileDups
	}
	fmt.Fprintf(stdout, "published %d message(s) to %s; %d duplicate(s) skipped; %d file(s) failed\n", total, subject, dups, len(failed))
	if len(failed) > 0 {
		return fmt.Errorf("%d file(s) could not be published: %v", len(failed), failed)
	}
	return nil
}

// readSecretFile returns the trimmed content of a secret file, or "" when
// no file is named.
func readSecretFile(flagName, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", flagName, err)
	}
	return strings.TrimSpace(string(data)), nil
}

func readDemoState(dir string) (*demoState, error) {
	path := filepath.Join(dir, demoStateFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w (start `ehrbridge demo` first, or pass --nats, --tenant and --source)", path, err)
	}
	var s demoState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if s.NATS == "" || s.Tenant == "" || s.HL7Source == "" {
		return nil, fmt.Errorf("%s lacks nats, tenant or hl7_source: restart the demo to rewrite it", path)
	}
	return &s, nil
}
