// Command gen writes a FHIR JSON Schema generated from the FHIR
// protocol-buffer descriptors of github.com/google/fhir/go. The schema has
// one definition per resource type, data type and backbone element. The
// descriptors' annotations give it required elements, primitive patterns,
// code value sets, reference target types and choice-type names.
//
// Usage:
//
//	go run ./schemas/internal/gen -release dstu2 -out schemas/fhir/dstu2/fhir.schema.json.gz
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	name := flag.String("release", "dstu2", "FHIR release to describe: dstu2 or stu3")
	out := flag.String("out", "", "output file; a name ending in .gz is written gzip-compressed")
	flag.Parse()

	if err := run(*name, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(name, out string) error {
	rel, ok := releases[name]
	if !ok {
		return fmt.Errorf("invalid release %q: use dstu2 or stu3", name)
	}
	if out == "" {
		return fmt.Errorf("missing -out: name the output file")
	}

	doc, err := generate(rel)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return fmt.Errorf("encode schema: %w", err)
	}
	data = append(data, '\n')

	if strings.HasSuffix(out, ".gz") {
		if data, err = compress(data); err != nil {
			return err
		}
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("write schema: %w", err)
	}
	return nil
}

// compress gzips data with a zero header time, so that regenerating an
// unchanged schema yields an identical file.
func compress(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("compress schema: %w", err)
	}
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("compress schema: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress schema: %w", err)
	}
	return buf.Bytes(), nil
}
