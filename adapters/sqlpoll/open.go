package sqlpoll

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	// Register the drivers named "postgres" and "sqlite".
	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"
)

// pingTimeout bounds the connection check in [Open].
const pingTimeout = 10 * time.Second

// Open opens a source database with driver "sqlite" (modernc.org/sqlite) or
// "postgres" (github.com/lib/pq) and checks the connection. The pool is
// small, because a poller runs one query at a time. Errors show the DSN with
// its password replaced by "xxxxx".
func Open(driver, dsn string) (*sqlx.DB, error) {
	if driver != "sqlite" && driver != "postgres" {
		return nil, fmt.Errorf("open database: unsupported driver %q: use sqlite or postgres", driver)
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, openError(driver, dsn, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)

	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, openError(driver, dsn, err)
	}
	return db, nil
}

var (
	keywordPassword  = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)`)
	userInfoPassword = regexp.MustCompile(`([^:/@\s]+):([^@\s]+)@`)
)

func openError(driver, dsn string, err error) error {
	password := dsnPassword(dsn)
	if password != "" && strings.Contains(err.Error(), password) {
		// Replacing the password inside the driver's text would reveal a short
		// one ("tcp" with password "p"), so the driver's message is dropped.
		return fmt.Errorf("open %s database %s: connection failed (the driver's message is withheld "+
			"because it contains the password)", driver, describeDSN(dsn))
	}
	return fmt.Errorf("open %s database %s: %w", driver, describeDSN(dsn), err)
}

var keywordField = regexp.MustCompile(`(?i)\b(host|port|dbname)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s]*)`)

// describeDSN names the database of a DSN for messages: the host and
// database of a URL or keyword DSN, or the file of a SQLite DSN. User
// names, passwords and query options (such as SQLite's _auth_pass) are
// left out.
func describeDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" && u.Scheme != "file" && u.Host != "" {
		return u.Scheme + "://" + u.Host + u.Path
	}
	if m := keywordField.FindAllStringSubmatch(dsn, -1); len(m) > 0 {
		parts := make([]string, 0, len(m))
		for _, kv := range m {
			parts = append(parts, strings.ToLower(kv[1])+"="+kv[2])
		}
		return strings.Join(parts, " ")
	}
	file, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return file
}

// RedactDSN returns dsn with its password replaced by "xxxxx", for URL DSNs
// (postgres://user:pass@host/db), keyword DSNs (password=pass) and other
// user:pass@ forms.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return u.Redacted()
		}
	}
	dsn = keywordPassword.ReplaceAllString(dsn, "${1}xxxxx")
	return userInfoPassword.ReplaceAllString(dsn, "${1}:xxxxx@")
}

func dsnPassword(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
	}
	m := keywordPassword.FindStringSubmatch(dsn)
	if m == nil {
		return ""
	}
	return strings.Trim(m[2], "'")
}
