package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// superuser is the superuser role that initdb creates in the cluster.
const superuser = "postgres"

// startAttempts bounds the retries when another process takes the free port
// between choosing it and the server binding it.
const startAttempts = 3

// cluster is a throwaway PostgreSQL cluster in a temporary folder, listening
// on 127.0.0.1 and on a Unix socket in that folder.
type cluster struct {
	bins    binaries
	baseDir string   // temporary folder: socket, server log, data folder
	dataDir string   // baseDir/data
	port    int      // TCP port on 127.0.0.1
	owner   *account // nil when the programs run as the current user
	// watchdog stops the cluster when pipe closes, that is when the test
	// binary exits in any way.
	watchdog *exec.Cmd
	pipe     *os.File
}

// startCluster initializes a cluster in a new temporary folder and starts it.
func startCluster(bins binaries) (*cluster, error) {
	owner, err := serverAccount()
	if err != nil {
		return nil, err
	}
	baseDir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("create cluster folder: %w", err)
	}
	c := &cluster{bins: bins, baseDir: baseDir, dataDir: filepath.Join(baseDir, "data"), owner: owner}
	if err := c.prepare(); err != nil {
		return nil, errors.Join(err, os.RemoveAll(baseDir))
	}
	if err := c.startWatchdog(); err != nil {
		return nil, errors.Join(err, os.RemoveAll(baseDir))
	}
	if err := c.start(); err != nil {
		return nil, errors.Join(err, c.stop())
	}
	return c, nil
}

// prepare hands the folder to the server account, runs initdb and writes
// the server settings.
func (c *cluster) prepare() error {
	if c.owner != nil {
		if err := os.Chown(c.baseDir, c.owner.uid, c.owner.gid); err != nil {
			return fmt.Errorf("hand cluster folder to user %s: %w", c.owner.name, err)
		}
	}
	// --no-sync skips fsync of the new files: the cluster is thrown away.
	err := c.run(c.bins.initdb, "--pgdata", c.dataDir, "--username", superuser,
		"--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync")
	if err != nil {
		return err
	}
	return c.appendSettings()
}

// appendSettings adds the test settings to postgresql.conf, where the last
// occurrence of a setting wins.
func (c *cluster) appendSettings() error {
	settings := fmt.Sprintf(`
# Settings of a throwaway test cluster: loopback only, no durability.
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
`, strings.ReplaceAll(c.baseDir, "'", "''"))
	path := filepath.Join(c.dataDir, "postgresql.conf")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open postgresql.conf: %w", err)
	}
	if _, err := f.WriteString(settings); err != nil {
		_ = f.Close()
		return fmt.Errorf("write postgresql.conf: %w", err)
	}
	return f.Close()
}

// start starts the server on a free port, retrying on a new port when the
// start fails, because another process may have bound the chosen one.
func (c *cluster) start() error {
	var errs []error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			return err
		}
		c.port = port
		err = c.run(c.bins.pgCtl, "start", "--pgdata", c.dataDir, "--wait", "--timeout", "60",
			"--log", filepath.Join(c.baseDir, "server.log"), "-o", fmt.Sprintf("-p %d", port))
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("start cluster after %d attempts (server log in %s): %w",
		startAttempts, c.baseDir, errors.Join(errs...))
}

// stop stops the server, removes the folder and ends the watchdog.
func (c *cluster) stop() error {
	var errs []error
	if c.port != 0 {
		err := c.run(c.bins.pgCtl, "stop", "--pgdata", c.dataDir, "--mode", "fast", "--wait")
		errs = append(errs, err)
	}
	// With the server stopped, the watchdog's own pg_ctl stop finds no server.
	if c.pipe != nil {
		errs = append(errs, c.pipe.Close())
		errs = append(errs, c.watchdog.Wait())
	}
	if err := os.RemoveAll(c.baseDir); err != nil {
		errs = append(errs, fmt.Errorf("remove cluster folder: %w", err))
	}
	return errors.Join(errs...)
}

// watchdogScript blocks until its stdin reaches end of file, then stops the
// cluster at once and removes its folder. Arguments: pg_ctl, data folder,
// cluster folder.
const watchdogScript = `cat >/dev/null
"$1" stop --pgdata "$2" --mode immediate --wait >/dev/null 2>&1
rm -rf "$3"`

// startWatchdog starts a shell, in its own session so that terminal signals
// do not reach it, that stops the cluster once this process has exited.
// Only this process holds the write end of the pipe (os.Pipe sets
// close-on-exec), so the kernel closes it when this process ends.
func (c *cluster) startWatchdog() error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("create watchdog pipe: %w", err)
	}
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "pgtest-watchdog",
		c.bins.pgCtl, c.dataDir, c.baseDir)
	cmd.Stdin = r
	cmd.Dir = c.baseDir
	cmd.SysProcAttr = sysProcAttr(c.owner, true)
	err = cmd.Start()
	_ = r.Close()
	if err != nil {
		_ = w.Close()
		return fmt.Errorf("start watchdog: %w", err)
	}
	c.watchdog, c.pipe = cmd, w
	return nil
}

// run runs a PostgreSQL program as the cluster's owner. Its output goes into
// the error, and it contains no patient data: the test databases are empty
// when the programs run.
func (c *cluster) run(program string, args ...string) error {
	cmd := exec.Command(program, args...)
	cmd.Dir = c.baseDir
	cmd.SysProcAttr = sysProcAttr(c.owner, false)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server running. Stop waiting for output after
	// the program exits, in case the server kept a copy of stdout.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		name := filepath.Base(program)
		if !strings.HasPrefix(args[0], "-") {
			name += " " + args[0]
		}
		return fmt.Errorf("%s failed: %w\n%s", name, err, strings.TrimSpace(out.String()))
	}
	return nil
}

// dsn returns the DSN of a database in the cluster.
func (c *cluster) dsn(dbName string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable",
		c.port, superuser, quoteValue(dbName))
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	return port, l.Close()
}
