package hl7

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the host's zone files
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in            string
		wantPrecision Precision
		wantDigits    int
		wantOffset    int
		wantHasOffset bool
		wantDate      string
		wantDateTime  string // with a nil location
		wantString    string
	}{
		{"2024", PrecisionYear, 0, 0, false, "2024", "2024", "2024"},
		{"202403", PrecisionMonth, 0, 0, false, "2024-03", "2024-03", "202403"},
		{"20240315", PrecisionDay, 0, 0, false, "2024-03-15", "2024-03-15", "20240315"},
		{
			"2024031508", PrecisionHour, 0, 0, false,
			"2024-03-15", "2024-03-15T08:00:00+00:00", "2024031508",
		},
		{
			"202403150830", PrecisionMinute, 0, 0, false,
			"2024-03-15", "2024-03-15T08:30:00+00:00", "202403150830",
		},
		{
			"20240315083012", PrecisionSecond, 0, 0, false,
			"2024-03-15", "2024-03-15T08:30:12+00:00", "20240315083012",
		},
		{
			"20240315083012.1", PrecisionSecond, 1, 0, false,
			"2024-03-15", "2024-03-15T08:30:12.1+00:00", "20240315083012.1",
		},
		{
			"20240315083012.12", PrecisionSecond, 2, 0, false,
			"2024-03-15", "2024-03-15T08:30:12.12+00:00", "20240315083012.12",
		},
		{
			"20240315083012.123", PrecisionSecond, 3, 0, false,
			"2024-03-15", "2024-03-15T08:30:12.123+00:00", "20240315083012.123",
		},
		{
			"20240315083012.0123", PrecisionSecond, 4, 0, false,
			"2024-03-15", "2024-03-15T08:30:12.0123+00:00", "20240315083012.0123",
		},
		{
			"20240315083012.1000", PrecisionSecond, 4, 0, false,
			"2024-03-15", "2024-03-15T08:30:12.1000+00:00", "20240315083012.1000",
		},
		{
			"202403150830+0215", PrecisionMinute, 0, 8100, true,
			"2024-03-15", "2024-03-15T08:30:00+02:15", "202403150830+0215",
		},
		{
			"20240315083012-0500", PrecisionSecond, 0, -18000, true,
			"2024-03-15", "2024-03-15T08:30:12-05:00", "20240315083012-0500",
		},
		{
			"20240315083012.5+0545", PrecisionSecond, 1, 20700, true,
			"2024-03-15", "2024-03-15T08:30:12.5+05:45", "20240315083012.5+0545",
		},
		{
			"2024031508+0000", PrecisionHour, 0, 0, true,
			"2024-03-15", "2024-03-15T08:00:00+00:00", "2024031508+0000",
		},
		{
			"2024031508-0000", PrecisionHour, 0, 0, true,
			"2024-03-15", "2024-03-15T08:00:00+00:00", "2024031508+0000",
		},
		{
			"20240315+1400", PrecisionDay, 0, 50400, true,
			"2024-03-15", "2024-03-15", "20240315+1400",
		},
		{"2024-1200", PrecisionYear, 0, -43200, true, "2024", "2024", "2024-1200"},
		{"20240229", PrecisionDay, 0, 0, false, "2024-02-29", "2024-02-29", "20240229"},
		{"20000229", PrecisionDay, 0, 0, false, "2000-02-29", "2000-02-29", "20000229"},
		{
			"19991231235959", PrecisionSecond, 0, 0, false,
			"1999-12-31", "1999-12-31T23:59:59+00:00", "19991231235959",
		},
		{"20240315^D", PrecisionDay, 0, 0, false, "2024-03-15", "2024-03-15", "20240315"},
		{
			"202403150830^M", PrecisionMinute, 0, 0, false,
			"2024-03-15", "2024-03-15T08:30:00+00:00", "202403150830",
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime: %v", err)
			}
			if p := got.Precision(); p != tt.wantPrecision {
				t.Errorf("Precision: got %v, want %v", p, tt.wantPrecision)
			}
			if d := got.FractionDigits(); d != tt.wantDigits {
				t.Errorf("FractionDigits: got %d, want %d", d, tt.wantDigits)
			}
			if o := got.Offset(); o != tt.wantOffset {
				t.Errorf("Offset: got %d, want %d", o, tt.wantOffset)
			}
			if h := got.HasOffset(); h != tt.wantHasOffset {
				t.Errorf("HasOffset: got %v, want %v", h, tt.wantHasOffset)
			}
			if s := got.FHIRDate(); s != tt.wantDate {
				t.Errorf("FHIRDate: got %q, want %q", s, tt.wantDate)
			}
			if s := got.FHIRDateTime(nil); s != tt.wantDateTime {
				t.Errorf("FHIRDateTime(nil): got %q, want %q", s, tt.wantDateTime)
			}
			if s := got.String(); s != tt.wantString {
				t.Errorf("String: got %q, want %q", s, tt.wantString)
			}
			if got.IsZero() {
				t.Errorf("IsZero: got true, want false")
			}
		})
	}
}

func TestTimeLocation(t *testing.T) {
	t.Parallel()
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	tests := []struct {
		name         string
		in           string
		loc          *time.Location
		wantDateTime string
		wantInstant  time.Time
	}{
		{
			name:         "offset wins over location",
			in:           "202403150830+0215",
			loc:          newYork,
			wantDateTime: "2024-03-15T08:30:00+02:15",
			wantInstant:  time.Date(2024, 3, 15, 6, 15, 0, 0, time.UTC),
		},
		{
			name:         "location in winter",
			in:           "202401150830",
			loc:          newYork,
			wantDateTime: "2024-01-15T08:30:00-05:00",
			wantInstant:  time.Date(2024, 1, 15, 13, 30, 0, 0, time.UTC),
		},
		{
			name:         "location in summer",
			in:           "20240715083012.25",
			loc:          newYork,
			wantDateTime: "2024-07-15T08:30:12.25-04:00",
			wantInstant:  time.Date(2024, 7, 15, 12, 30, 12, 250_000_000, time.UTC),
		},
		{
			name:         "date keeps its precision",
			in:           "20240715",
			loc:          newYork,
			wantDateTime: "2024-07-15",
			wantInstant:  time.Date(2024, 7, 15, 4, 0, 0, 0, time.UTC),
		},
		{
			name:         "fixed zone",
			in:           "2024071508",
			loc:          time.FixedZone("", -(9*3600 + 30*60)),
			wantDateTime: "2024-07-15T08:00:00-09:30",
			wantInstant:  time.Date(2024, 7, 15, 17, 30, 0, 0, time.UTC),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime: %v", err)
			}
			if s := got.FHIRDateTime(tt.loc); s != tt.wantDateTime {
				t.Errorf("FHIRDateTime: got %q, want %q", s, tt.wantDateTime)
			}
			if at := got.TimeIn(tt.loc); !at.Equal(tt.wantInstant) {
				t.Errorf("TimeIn: got %v, want %v", at, tt.wantInstant)
			}
		})
	}
}

func TestTimeInstant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		want       time.Time
		wantOffset int
	}{
		{"2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"202403", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 0},
		{"20240315083012.0123", time.Date(2024, 3, 15, 8, 30, 12, 12_300_000, time.UTC), 0},
		{"202403150830+0215", time.Date(2024, 3, 15, 6, 15, 0, 0, time.UTC), 8100},
		{"202403150830-0500", time.Date(2024, 3, 15, 13, 30, 0, 0, time.UTC), -18000},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime: %v", err)
			}
			at := got.Time()
			if !at.Equal(tt.want) {
				t.Errorf("Time: got %v, want %v", at, tt.want)
			}
			if _, offset := at.Zone(); offset != tt.wantOffset {
				t.Errorf("Time zone offset: got %d, want %d", offset, tt.wantOffset)
			}
		})
	}
}

func TestParseTimeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		wantReason string
	}{
		{"", "value is empty"},
		{"^D", "value is empty"},
		{"202", "must have 4, 6, 8, 10, 12 or 14 digits"},
		{"20240", "must have 4, 6, 8, 10, 12 or 14 digits"},
		{"2024031508301", "must have 4, 6, 8, 10, 12 or 14 digits"},
		{"202403150830121", "must have 4, 6, 8, 10, 12 or 14 digits"},
		{"2024-03-15", "offset must be +HHMM or -HHMM"},
		{"2024/03/15", "digits only"},
		{"20240315 0830", "digits only"},
		{" 20240315", "digits only"},
		{"2024031５", "digits only"},
		{"20241315", "invalid month (13)"},
		{"20240015", "invalid month (0)"},
		{"20240230", "invalid day (30) for its month"},
		{"20230229", "invalid day (29) for its month"},
		{"19000229", "invalid day (29) for its month"},
		{"20240431", "invalid day (31) for its month"},
		{"20240400", "invalid day (0) for its month"},
		{"2024031524", "invalid hour (24)"},
		{"202403152360", "invalid minute (60)"},
		{"20240315235960", "invalid second (60)"},
		{"0000", "year 0 does not exist"},
		{"202403150830.5", "fractional seconds need seconds before them"},
		{"20240315083012.", "fractional seconds must have 1 to 4 digits"},
		{"20240315083012.12345", "fractional seconds must have 1 to 4 digits"},
		{"20240315083012.1a", "fractional seconds must have 1 to 4 digits"},
		{"20240315083012+02", "offset must be +HHMM or -HHMM"},
		{"20240315083012+021500", "offset must be +HHMM or -HHMM"},
		{"20240315083012+02:15", "offset must be +HHMM or -HHMM"},
		{"20240315083012+1500", "offset hours (15) out of range 00-14"},
		{"20240315083012+1401", "offset is beyond 14 hours"},
		{"20240315083012-0260", "offset minutes (60) out of range 00-59"},
		{"+0200", "must have 4, 6, 8, 10, 12 or 14 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTime(tt.in)
			if err == nil {
				t.Fatalf("ParseTime: got %v, want error", got)
			}
			if !errors.Is(err, ErrInvalidTime) {
				t.Errorf("error %q does not wrap ErrInvalidTime", err)
			}
			if !strings.Contains(err.Error(), tt.wantReason) {
				t.Errorf("error: got %q, want it to contain %q", err, tt.wantReason)
			}
			if len(tt.in) >= 6 && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q contains the timestamp", err)
			}
		})
	}
}

func TestZeroTime(t *testing.T) {
	t.Parallel()
	var zero Time
	tests := []struct {
		name, got string
	}{
		{"FHIRDate", zero.FHIRDate()},
		{"FHIRDateTime", zero.FHIRDateTime(nil)},
		{"String", zero.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != "" {
				t.Errorf("%s: got %q, want empty", tt.name, tt.got)
			}
		})
	}
	if !zero.IsZero() {
		t.Errorf("IsZero: got false, want true")
	}
}

func TestPrecisionString(t *testing.T) {
	t.Parallel()
	want := []string{"unknown", "year", "month", "day", "hour", "minute", "second", "unknown"}
	for p := Precision(0); p <= PrecisionSecond+1; p++ {
		if got := p.String(); got != want[p] {
			t.Errorf("Precision(%d).String: got %q, want %q", p, got, want[p])
		}
	}
}
