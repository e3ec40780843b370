package sampledata

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
)

func get(m *hl7.Message, path string) string { return m.Get(hl7.MustParsePath(path)) }

func getIn(s *hl7.Segment, path string) string { return s.Get(hl7.MustParsePath(path)) }

func parseMessage(t *testing.T, msg Message) *hl7.Message {
	t.Helper()
	m, err := hl7.Parse(msg.Data)
	if err != nil {
		t.Fatalf("parse %s: %v", msg.Name, err)
	}
	return m
}

func TestHL7MessagesNames(t *testing.T) {
	var got []string
	for _, m := range HL7Messages() {
		got = append(got, m.Name)
	}
	want := []string{
		"adt-a01-existing-patient.hl7",
		"adt-a01-new-patient.hl7",
		"adt-a08-existing-patient-update.hl7",
		"oru-r01-blood-pressure.hl7",
		"oru-r01-vital-signs-obr-time.hl7",
		"oru-r01-vital-signs.hl7",
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestHL7MessagesHeader(t *testing.T) {
	all := append(HL7Messages(), InvalidHL7Messages()...)
	controlIDs := map[string]string{}
	for _, msg := range all {
		t.Run(msg.Name, func(t *testing.T) {
			if bytes.Contains(msg.Data, []byte("\n")) {
				t.Errorf("got a line feed, want segments ended by \\r only")
			}
			if !bytes.HasSuffix(msg.Data, []byte("\r")) {
				t.Errorf("got no final \\r, want every segment ended by \\r")
			}
			m := parseMessage(t, msg)
			if got := m.VersionID(); got != "2.5.1" {
				t.Errorf("MSH-12: got %q, want 2.5.1", got)
			}
			if got := get(m, "MSH-11"); got != "P" {
				t.Errorf("MSH-11: got %q, want P", got)
			}
			wantType := strings.ToUpper(strings.ReplaceAll(msg.Name[:7], "-", "^"))
			if got := m.Type(); got != wantType {
				t.Errorf("MSH-9: got %q, want %q", got, wantType)
			}
			if _, err := hl7.ParseTime(get(m, "MSH-7")); err != nil {
				t.Errorf("MSH-7: %v", err)
			}
			if other, dup := controlIDs[m.ControlID()]; dup {
				t.Errorf("MSH-10: got %q, also used by %s", m.ControlID(), other)
			}
			controlIDs[m.ControlID()] = msg.Name
		})
	}
}

// TestHL7MessagesMatchEHR checks that every patient of the feed is the
// sample EHR's patient with that MRN, except the newly admitted one.
func TestHL7MessagesMatchEHR(t *testing.T) {
	ds := Generate()
	tests := []struct {
		name  string
		mrn   string
		inEHR bool
		moved bool // PID-11 is a new address, not the EHR's
	}{
		{name: "adt-a01-new-patient.hl7", mrn: "MRN000900", inEHR: false},
		{name: "adt-a01-existing-patient.hl7", mrn: "MRN000101", inEHR: true},
		{name: "adt-a08-existing-patient-update.hl7", mrn: "MRN000101", inEHR: true, moved: true},
		{name: "oru-r01-vital-signs.hl7", mrn: "MRN000103", inEHR: true},
		{name: "oru-r01-vital-signs-obr-time.hl7", mrn: "MRN000102", inEHR: true},
		{name: "oru-r01-blood-pressure.hl7", mrn: "MRN000109", inEHR: true},
	}
	messages := messagesByName(HL7Messages())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseMessage(t, messages[tt.name])
			if got := get(m, "PID-3.1"); got != tt.mrn {
				t.Fatalf("PID-3.1: got %q, want %q", got, tt.mrn)
			}
			if got := get(m, "PID-3.4"); got != AssigningAuthority {
				t.Errorf("PID-3.4: got %q, want %q", got, AssigningAuthority)
			}
			if got := get(m, "PID-3.5"); got != "MR" {
				t.Errorf("PID-3.5: got %q, want MR", got)
			}
			p, found := ds.PatientByMRN(tt.mrn)
			if found != tt.inEHR {
				t.Fatalf("PatientByMRN(%s): got found %v, want %v", tt.mrn, found, tt.inEHR)
			}
			if !found {
				return
			}
			checkPID(t, m, p)
			if !tt.moved {
				checkAddress(t, m, p)
			}
		})
	}
}

func checkPID(t *testing.T, m *hl7.Message, p Patient) {
	t.Helper()
	fields := []struct{ path, want string }{
		{"PID-5.1", p.FamilyName},
		{"PID-5.2", p.GivenName},
		{"PID-5.3", deref(p.MiddleName)},
		{"PID-5.4", deref(p.Suffix)},
		{"PID-5.5", deref(p.Prefix)},
		{"PID-7", p.BirthDate.Format("20060102")},
		{"PID-8", p.Sex},
	}
	for _, f := range fields {
		if got := get(m, f.path); got != f.want {
			t.Errorf("%s: got %q, want %q", f.path, got, f.want)
		}
	}
}

func checkAddress(t *testing.T, m *hl7.Message, p Patient) {
	t.Helper()
	fields := []struct{ path, want string }{
		{"PID-11.1", deref(p.AddressLine1)},
		{"PID-11.2", deref(p.AddressLine2)},
		{"PID-11.3", deref(p.City)},
		{"PID-11.4", deref(p.State)},
		{"PID-11.5", deref(p.PostalCode)},
	}
	for _, f := range fields {
		if got := get(m, f.path); got != f.want {
			t.Errorf("%s: got %q, want %q", f.path, got, f.want)
		}
	}
	local := get(m, "PID-13.7")
	if local == "" {
		return // the sender left the phone out
	}
	phone := fmt.Sprintf("(%s) %s-%s", get(m, "PID-13.6"), local[:3], local[3:])
	if phone != deref(p.Phone) {
		t.Errorf("PID-13: got %q, want %q", phone, deref(p.Phone))
	}
}

func TestHL7NewPatient(t *testing.T) {
	ds := Generate()
	m := parseMessage(t, messagesByName(HL7Messages())["adt-a01-new-patient.hl7"])
	checks := []struct{ path, want string }{
		{"PID-5.3", "Sofie"}, // middle name
		{"PID-5.5", "Ms."},   // prefix
		{"PV1-2", "I"},
	}
	for _, c := range checks {
		if got := get(m, c.path); got != c.want {
			t.Errorf("%s: got %q, want %q", c.path, got, c.want)
		}
	}
	npi := get(m, "PD1-4.1")
	if _, ok := ds.PractitionerByNPI(npi); !ok {
		t.Errorf("PD1-4.1: got NPI %q, want a practitioner of the sample EHR", npi)
	}
}

func TestHL7UpdateFollowsAdmit(t *testing.T) {
	messages := messagesByName(HL7Messages())
	admit := parseMessage(t, messages["adt-a01-existing-patient.hl7"])
	update := parseMessage(t, messages["adt-a08-existing-patient-update.hl7"])
	for _, path := range []string{"MSH-7", "EVN-2"} {
		a, errA := hl7.ParseTime(get(admit, path))
		u, errU := hl7.ParseTime(get(update, path))
		if errA != nil || errU != nil {
			t.Fatalf("%s: parse: %v, %v", path, errA, errU)
		}
		if !u.Time().After(a.Time()) {
			t.Errorf("%s: got update at %v, want after the admit at %v", path, u.Time(), a.Time())
		}
	}
	if get(update, "PID-3.1") != get(admit, "PID-3.1") {
		t.Errorf("PID-3.1: got different MRNs, want the same patient")
	}
	if get(update, "PID-11.1") == get(admit, "PID-11.1") {
		t.Errorf("PID-11.1: got the same address, want the updated one")
	}
}

// TestHL7VitalSigns checks every OBX of the ORU messages as a vital-sign
// mapping reads it.
func TestHL7VitalSigns(t *testing.T) {
	units := map[string]string{LOINCSystolic: "mm[Hg]", LOINCDiastolic: "mm[Hg]"}
	for code, v := range vitalDisplay {
		units[code] = v.unit
	}
	var bloodPressure []string
	for _, msg := range HL7Messages() {
		if !strings.HasPrefix(msg.Name, "oru-") {
			continue
		}
		t.Run(msg.Name, func(t *testing.T) {
			m := parseMessage(t, msg)
			obr7 := get(m, "OBR-7")
			obxs := m.All("OBX")
			if len(obxs) == 0 {
				t.Fatal("got no OBX, want vital signs")
			}
			for _, obx := range obxs {
				code := getIn(obx, "OBX-3.1")
				if code == LOINCSystolic || code == LOINCDiastolic {
					bloodPressure = append(bloodPressure, code)
				}
				checkOBX(t, obx, units, obr7)
			}
		})
	}
	if strings.Join(bloodPressure, ",") != LOINCSystolic+","+LOINCDiastolic {
		t.Errorf("got blood pressure OBX codes %v, want systolic and diastolic", bloodPressure)
	}
}

func checkOBX(t *testing.T, obx *hl7.Segment, units map[string]string, obr7 string) {
	t.Helper()
	code := getIn(obx, "OBX-3.1")
	set := getIn(obx, "OBX-1")
	want := map[string]string{"OBX-2": "NM", "OBX-3.3": "LN", "OBX-6.3": "UCUM", "OBX-11": "F"}
	for path, w := range want {
		if got := getIn(obx, path); got != w {
			t.Errorf("OBX %s %s: got %q, want %q", set, path, got, w)
		}
	}

	unit, known := units[code]
	if !known {
		t.Errorf("OBX %s OBX-3.1: got %q, want a vital-sign LOINC code", set, code)
	}
	if got := getIn(obx, "OBX-6.1"); got != unit {
		t.Errorf("OBX %s OBX-6.1: got %q, want %q", set, got, unit)
	}
	if _, err := strconv.ParseFloat(getIn(obx, "OBX-5"), 64); err != nil {
		t.Errorf("OBX %s OBX-5: got a non-number, want an NM value", set)
	}

	when := getIn(obx, "OBX-14")
	if when == "" {
		when = obr7
	}
	ts, err := hl7.ParseTime(when)
	if err != nil {
		t.Fatalf("OBX %s OBX-14 or OBR-7: %v", set, err)
	}
	if !ts.HasOffset() || ts.Offset() != -5*3600 {
		t.Errorf("OBX %s time: got offset %v (present %v), want -0500", set, ts.Offset(), ts.HasOffset())
	}
}

func TestInvalidHL7Messages(t *testing.T) {
	tests := []struct {
		name    string
		invalid func(m *hl7.Message) bool
	}{
		{
			name:    "adt-a01-missing-mrn.hl7",
			invalid: func(m *hl7.Message) bool { return get(m, "PID-3.1") == "" },
		},
		{
			name: "oru-r01-non-numeric-nm.hl7",
			invalid: func(m *hl7.Message) bool {
				_, err := strconv.ParseFloat(get(m, "OBX-5"), 64)
				return get(m, "OBX-2") == "NM" && err != nil
			},
		},
	}
	messages := messagesByName(InvalidHL7Messages())
	if len(messages) != len(tests) {
		t.Errorf("got %d invalid messages, want %d", len(messages), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, ok := messages[tt.name]
			if !ok {
				t.Fatalf("message not found")
			}
			// The message parses, so the pipeline, not the parser, rejects it.
			if !tt.invalid(parseMessage(t, msg)) {
				t.Errorf("got a valid message, want the defect its name describes")
			}
		})
	}
}

func messagesByName(list []Message) map[string]Message {
	out := map[string]Message{}
	for _, m := range list {
		out[m.Name] = m
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
