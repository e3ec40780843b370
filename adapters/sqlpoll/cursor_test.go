package sqlpoll

import (
	"strings"
	"testing"
	"time"
)

func TestCursorText(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"utc time", time.Date(2024, 5, 1, 10, 15, 0, 0, time.UTC), "2024-05-01T10:15:00.000000000Z"},
		{"offset time", time.Date(2024, 5, 1, 12, 15, 0, 500, time.FixedZone("", 2*3600)),
			"2024-05-01T10:15:00.000000500Z"},
		{"int64", int64(17), "17"},
		{"negative int", -3, "-3"},
		{"float", 72.5, "72.5"},
		{"string", "2024-05-01 10:15", "2024-05-01 10:15"},
		{"bytes", []byte("abc"), "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CursorText(tt.value); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCursorTextSortsLikeTime(t *testing.T) {
	whole := CursorText(time.Date(2024, 5, 1, 10, 0, 5, 0, time.UTC))
	half := CursorText(time.Date(2024, 5, 1, 10, 0, 5, 5e8, time.UTC))
	if whole >= half {
		t.Errorf("got %q >= %q, want the earlier time to sort first", whole, half)
	}
}

func TestBindValue(t *testing.T) {
	tests := []struct {
		name   string
		cursor string
		driver string
		want   any
	}{
		{"integer", "10", "postgres", int64(10)},
		{"negative integer", "-4", "sqlite", int64(-4)},
		{"leading zero stays text", "007", "sqlite", "007"},
		{"time stays text", "2024-05-01T10:15:00Z", "postgres", "2024-05-01T10:15:00Z"},
		{"sqlite time text", "2024-05-01T10:15:00.000000000Z", "sqlite", "2024-05-01 10:15:00"},
		{"sqlite time fraction", "2024-05-01T12:15:00.250000000+02:00", "sqlite", "2024-05-01 10:15:00.25"},
		{"decimal stays text", "1.5", "sqlite", "1.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bindValue(tt.cursor, tt.driver); got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestCursorTrackerBelowStart(t *testing.T) {
	tracker := newCursorTracker("2024-05-01T10:00:00Z")
	_, err := tracker.next(time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC))
	if err == nil || !strings.Contains(err.Error(), "below the start cursor") {
		t.Errorf("got %v, want an error about the start cursor", err)
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want string
	}{
		{"url", "postgres://ehr:s3cret@127.0.0.1:5432/ehr?sslmode=disable",
			"postgres://ehr:xxxxx@127.0.0.1:5432/ehr?sslmode=disable"},
		{"keywords", "host=127.0.0.1 user=ehr password=s3cret dbname=ehr",
			"host=127.0.0.1 user=ehr password=xxxxx dbname=ehr"},
		{"quoted keyword", "user=ehr password='s3 cret' dbname=ehr", "user=ehr password=xxxxx dbname=ehr"},
		{"user info", "ehr:s3cret@tcp(127.0.0.1:3306)/ehr", "ehr:xxxxx@tcp(127.0.0.1:3306)/ehr"},
		{"sqlite file", "file:/var/lib/ehr.db?_pragma=busy_timeout(5000)", "file:/var/lib/ehr.db?_pragma=busy_timeout(5000)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactDSN(tt.dsn); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpenErrorHidesPassword(t *testing.T) {
	dsns := []string{
		"postgres://ehr:s3cret@127.0.0.1:1/ehr?sslmode=disable&connect_timeout=2",
		"host=127.0.0.1 port=1 user=ehr password=s3cret dbname=ehr sslmode=disable connect_timeout=2",
	}
	for _, dsn := range dsns {
		db, err := Open("postgres", dsn)
		if err == nil {
			db.Close()
			t.Fatalf("Open on a closed port: got nil error, want connection error")
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("got %q, want no password", err)
		}
	}
	if _, err := Open("mysql", "ehr:s3cret@tcp(127.0.0.1:1)/ehr"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unknown driver: got %v, want an error without the password", err)
	}
}

func TestOpenErrorHidesSecrets(t *testing.T) {
	tests := []struct {
		name, driver, dsn, secret string
	}{
		{"short postgres password", "postgres", "postgres://ehr:p@127.0.0.1:1/ehr?sslmode=disable", ":p@"},
		{"keyword password", "postgres", "host=127.0.0.1 port=1 user=ehr password=Zsecret dbname=ehr sslmode=disable", "Zsecret"},
		{"sqlite auth option", "sqlite", "file:/nonexistent/dir/x.db?_auth_pass=SqliteSecret", "SqliteSecret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.driver, tt.dsn)
			if err == nil {
				t.Fatal("got no error, want a connection failure")
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q contains the secret", err)
			}
			if strings.Contains(err.Error(), "tcxxxxx") {
				t.Errorf("error %q shows where a short password was replaced", err)
			}
		})
	}
}
