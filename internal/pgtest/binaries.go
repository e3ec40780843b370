package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// defaultBinaryGlob matches the bin folders of the Debian postgresql packages.
const defaultBinaryGlob = "/usr/lib/postgresql/*/bin"

// binaries are the PostgreSQL server programs that start and stop a cluster.
type binaries struct {
	initdb string
	pgCtl  string
}

// binariesNotFoundError reports that no PostgreSQL server binaries are
// installed. DSN skips the test on it, unless CI is "true".
type binariesNotFoundError struct {
	looked []string
}

func (e *binariesNotFoundError) Error() string {
	return fmt.Sprintf("PostgreSQL server binaries not found (looked in %s); "+
		"install the Debian package postgresql to run this test", strings.Join(e.looked, ", "))
}

// findBinaries returns initdb and pg_ctl from the folder matched by glob with
// the highest major version, or else from PATH. A nil lookPath means
// exec.LookPath.
func findBinaries(glob string, lookPath func(string) (string, error)) (binaries, error) {
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	dirs, _ := filepath.Glob(glob) // the only possible error is a malformed pattern
	sort.Slice(dirs, func(i, j int) bool { return majorVersion(dirs[i]) > majorVersion(dirs[j]) })
	for _, dir := range dirs {
		bins := binaries{initdb: filepath.Join(dir, "initdb"), pgCtl: filepath.Join(dir, "pg_ctl")}
		if isExecutable(bins.initdb) && isExecutable(bins.pgCtl) {
			return bins, nil
		}
	}

	initdb, errInitdb := lookPath("initdb")
	pgCtl, errPgCtl := lookPath("pg_ctl")
	if errInitdb == nil && errPgCtl == nil {
		return binaries{initdb: initdb, pgCtl: pgCtl}, nil
	}
	return binaries{}, &binariesNotFoundError{looked: []string{glob, "PATH"}}
}

// majorVersion returns the major version in a path like
// /usr/lib/postgresql/15/bin, or -1 when the folder name is not a number.
func majorVersion(binDir string) float64 {
	v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	if err != nil {
		return -1
	}
	return v
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode().Perm()&0o111 != 0
}
