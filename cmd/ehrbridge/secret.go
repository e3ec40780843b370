package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"io"

	"github.com/ehrbridge/ehrbridge/auth"
)

// runSecret prints a new client secret and the SHA-256 digest that a
// configuration's secret_sha256 takes, so the secret itself never has to
// be written into the file.
func runSecret(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("secret", flag.ContinueOnError)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	secret, err := auth.GenerateSecret()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "client_secret: %s\nsecret_sha256: \"%s\"\n", secret, hex.EncodeToString(auth.HashSecret(secret)))
	return nil
}
