package search

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		name, value, prefix, low, high string
	}{
		{"year", "1980", "eq", "1980-01-01T00:00:00Z", "1981-01-01T00:00:00Z"},
		{"month", "ge1980-04", "ge", "1980-04-01T00:00:00Z", "1980-05-01T00:00:00Z"},
		{"december", "1980-12", "eq", "1980-12-01T00:00:00Z", "1981-01-01T00:00:00Z"},
		{"day", "lt1980-04-05", "lt", "1980-04-05T00:00:00Z", "1980-04-06T00:00:00Z"},
		{"leap day", "2024-02-29", "eq", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"minute", "2024-03-01T10:15Z", "eq", "2024-03-01T10:15:00Z", "2024-03-01T10:16:00Z"},
		{"second offset", "sa2024-03-01T10:15:30+02:00", "sa",
			"2024-03-01T08:15:30Z", "2024-03-01T08:15:31Z"},
		{"millis", "2024-03-01T10:15:30.250Z", "eq",
			"2024-03-01T10:15:30.25Z", "2024-03-01T10:15:30.251Z"},
		{"no offset", "2024-03-01T10:15:30", "eq", "2024-03-01T10:15:30Z", "2024-03-01T10:15:31Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.value)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if got.Prefix != tt.prefix {
				t.Errorf("got prefix %q, want %q", got.Prefix, tt.prefix)
			}
			if !got.Low.Equal(utc(tt.low)) {
				t.Errorf("got low %v, want %s", got.Low, tt.low)
			}
			if !got.High.Equal(utc(tt.high)) {
				t.Errorf("got high %v, want %s", got.High, tt.high)
			}
		})
	}
}

func TestParseDateInvalid(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"", "80", "1980-4", "1980-00", "1980-02-30", "0000",
		"1980-01-01T25:00Z", "1980-01-01T10Z", "1980-01-01T10:00+15:00", "ge", "1980-01-01 10:00",
		"1980-01-01T10:00:60Z"} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			if _, err := ParseDate(value); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

func TestApproxRange(t *testing.T) {
	t.Parallel()
	d, err := ParseDate("ap2020-01-01")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	low, high := d.ApproxRange(now)
	if !low.Before(d.Low) || !high.After(d.High) {
		t.Errorf("got [%v, %v), want wider than [%v, %v)", low, high, d.Low, d.High)
	}
	if gap := d.Low.Sub(low); gap != now.Sub(d.Low)/10 {
		t.Errorf("got widening %v, want %v", gap, now.Sub(d.Low)/10)
	}
}
