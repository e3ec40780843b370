// Command ehrbridge turns EHR records and HL7 v2 messages into FHIR and
// serves them through a read-only FHIR API.
//
// Usage:
//
//	ehrbridge demo [--listen ADDR] [--data DIR]
//	ehrbridge serve --config FILE
//	ehrbridge ingest hl7 [--demo DIR | --nats URL --tenant ID --source NAME] FILE...
//	ehrbridge dead-letters [--demo DIR | --config FILE] [--tenant ID] [--limit N]
//	ehrbridge secret
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `ehrbridge turns EHR records and HL7 v2 messages into FHIR and serves them.

Usage:
  ehrbridge demo [--listen ADDR] [--data DIR]
      Run everything on the bundled sample EHR and HL7 messages.
  ehrbridge serve --config FILE
      Run a deployment from a YAML configuration.
  ehrbridge ingest hl7 [--demo DIR | --nats URL --tenant ID --source NAME] FILE...
      Publish HL7 v2 files onto a tenant's feed.
  ehrbridge dead-letters [--demo DIR | --config FILE] [--tenant ID] [--limit N]
      List the records a tenant's pipeline rejected, with their reasons.
  ehrbridge secret
      Print a new client secret and the secret_sha256 value for a configuration.

Run "ehrbridge COMMAND --help" for the options of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch args[0] {
	case "demo":
		err = runDemo(ctx, args[1:], stdout, stderr)
	case "serve":
		err = runServe(ctx, args[1:], stderr)
	case "ingest":
		err = runIngest(ctx, args[1:], stdout, stderr)
	case "dead-letters":
		err = runDeadLetters(ctx, args[1:], stdout, stderr)
	case "secret":
		err = runSecret(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "ehrbridge %s: %v\n", args[0], err)
	return 1
}

// errUsage reports a command line that was already explained to the user.
var errUsage = errors.New("invalid command line")

// newLogger returns the logger of a command: JSON lines on stderr.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// parseFlags parses a command's flags and prints errors and help to stderr.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
