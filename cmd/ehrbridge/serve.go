package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/ehrbridge/ehrbridge/app"
	"github.com/ehrbridge/ehrbridge/config"
)

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", "", "path of the YAML configuration `file` (required)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *configPath == "" {
		fs.Usage()
		return errors.New("missing --config: give the path of the configuration file")
	}
	log, err := newLogger(stderr, *logLevel)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*configPath)
	var problems config.Problems
	if cfg != nil && errors.As(err, &problems) {
		// List the mapping and secret problems too, so one run shows them all.
		return append(problems, app.Check(cfg)...)
	}
	if err != nil {
		return err
	}
	a, err := app.Start(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("shutting down")
	return a.Close()
}
