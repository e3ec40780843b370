package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/ehrbridge/ehrbridge/fhir"
)

// SourceKind is the kind of record a mapping reads.
type SourceKind string

// The source kinds a mapping can read.
const (
	SQLSource SourceKind = "sql"   // a row of a SQL query
	HL7Source SourceKind = "hl7v2" // an HL7 v2 message
)

// Mapping is one compiled mapping file: it turns one kind of source record
// into one FHIR resource type, for one or more FHIR versions.
type Mapping struct {
	Name         string
	File         string
	Description  string
	Kind         SourceKind
	ResourceType string
	Versions     []fhir.Version

	// SQL sources.
	Query         string
	CursorColumn  string
	KeyColumns    []string
	InitialCursor string

	// HL7 v2 sources.
	Messages []string // message types such as "ADT^A01"; "ADT^*" matches every ADT event
	ForEach  string   // segment name: one resource per segment, e.g. "OBX"

	timeZone   *time.Location
	when       *exprTmpl
	lets       []letRule
	id         *exprTmpl
	sourceTime *exprTmpl
	template   tmpl
	lookups    map[string]map[string]any
}

type letRule struct {
	name string
	expr *exprTmpl
}

// Output is one resource produced by a mapping.
type Output struct {
	Mapping      string
	Version      fhir.Version
	ResourceType string
	ID           string
	Body         json.RawMessage
	SourceTime   time.Time // zero when the mapping defines no source_time
}

var (
	resourceTypePattern = regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	messageTypePattern  = regexp.MustCompile(`^[A-Z0-9]{3}\^([A-Z0-9]{3}|\*)$`)
	segmentNamePattern  = regexp.MustCompile(`^[A-Z][A-Z0-9]{2}$`)
	fhirIDPattern       = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
)

// MatchesMessage reports whether the mapping reads HL7 messages of msgType
// (e.g. "ADT^A08").
func (m *Mapping) MatchesMessage(msgType string) bool {
	if m.Kind != HL7Source {
		return false
	}
	for _, want := range m.Messages {
		if want == msgType {
			return true
		}
		if prefix, ok := strings.CutSuffix(want, "^*"); ok && strings.HasPrefix(msgType, prefix+"^") {
			return true
		}
	}
	return false
}

// MapRow runs a SQL mapping over one row (column name to value) and
// returns its resources for each requested version the mapping supports.
func (m *Mapping) MapRow(row map[string]any, versions []fhir.Version) ([]Output, error) {
	if m.Kind != SQLSource {
		return nil, fmt.Errorf("mapping %s reads %s records, not SQL rows", m.Name, m.Kind)
	}
	c := newEvalContext(m)
	c.env["row"] = row
	return m.produce(c, versions)
}

// MapMessage runs an HL7 v2 mapping over one parsed message. With for_each,
// it produces one resource per matching segment.
func (m *Mapping) MapMessage(msg *hl7.Message, versions []fhir.Version) ([]Output, error) {
	if m.Kind != HL7Source {
		return nil, fmt.Errorf("mapping %s reads %s records, not HL7 messages", m.Name, m.Kind)
	}
	c := newEvalContext(m)
	c.msg = msg
	if m.ForEach == "" {
		return m.produce(c, versions)
	}
	var out []Output
	for _, seg := range msg.All(m.ForEach) {
		c.seg = seg
		res, err := m.produce(c, versions)
		if err != nil {
			var re *RecordError
			if errors.As(err, &re) && re.Segment == "" {
				// Segments are counted from 1, MSH being segment 1.
				re.Segment = fmt.Sprintf("%s (segment %d)", m.ForEach, seg.Index()+1)
			}
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// produce evaluates the rules for the current record or segment.
func (m *Mapping) produce(c *evalContext, versions []fhir.Version) ([]Output, error) {
	if m.when != nil {
		ok, err := c.runBool(m.when)
		if err != nil || !ok {
			return nil, err
		}
	}
	for _, l := range m.lets {
		v, err := c.run(l.expr)
		if err != nil {
			return nil, err
		}
		c.env[l.name] = v
	}
	id, err := m.evalID(c)
	if err != nil {
		return nil, err
	}
	sourceTime, err := m.evalSourceTime(c)
	if err != nil {
		return nil, err
	}
	var out []Output
	for _, v := range m.Versions {
		if !slices.Contains(versions, v) {
			continue
		}
		body, err := m.render(c, v, id)
		if err != nil {
			return nil, err
		}
		out = append(out, Output{Mapping: m.Name, Version: v, ResourceType: m.ResourceType,
			ID: id, Body: body, SourceTime: sourceTime})
	}
	return out, nil
}

func (m *Mapping) evalID(c *evalContext) (string, error) {
	v, err := c.run(m.id)
	if err != nil {
		return "", err
	}
	id := scalarText(v)
	if !fhirIDPattern.MatchString(id) {
		return "", &RecordError{Mapping: m.Name, Field: "/id", Line: m.id.line,
			Err: errors.New("id rule gave an empty or invalid FHIR id (want 1-64 of A-Z a-z 0-9 - .); use stable_id(...) over the record's keys")}
	}
	return id, nil
}

func (m *Mapping) evalSourceTime(c *evalContext) (time.Time, error) {
	if m.sourceTime == nil {
		return time.Time{}, nil
	}
	v, err := c.run(m.sourceTime)
	if err != nil {
		return time.Time{}, err
	}
	t, err := toTime(v, c.loc)
	if err != nil {
		return time.Time{}, &RecordError{Mapping: m.Name, Field: "source_time", Line: m.sourceTime.line, Err: err}
	}
	return t, nil
}

// toTime reads a source time from a time.Time, SQL timestamp text or an
// HL7 DTM value.
func toTime(v any, loc *time.Location) (time.Time, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return x, nil
	}
	s := strings.TrimSpace(scalarText(v))
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := parseSQLTimeIn(s, loc); err == nil {
		return t, nil
	}
	if t, err := hl7.ParseTime(s); err == nil {
		return t.Time(), nil
	}
	return time.Time{}, errors.New("source_time is neither a timestamp nor an HL7 date/time")
}

// render evaluates the template for one version and prepends resourceType and id.
func (m *Mapping) render(c *evalContext, v fhir.Version, id string) (json.RawMessage, error) {
	val, err := m.template.eval(c, v)
	if err != nil {
		var re *RecordError
		if errors.As(err, &re) && re.Mapping == "" {
			re.Mapping = m.Name
		}
		return nil, err
	}
	res := newObject()
	res.set("resourceType", m.ResourceType)
	res.set("id", id)
	if o, ok := val.(*object); ok {
		for _, k := range o.keys {
			if k == "resourceType" || k == "id" {
				continue
			}
			res.set(k, o.vals[k])
		}
	}
	body, err := res.MarshalJSON()
	if err != nil {
		return nil, &RecordError{Mapping: m.Name, Err: fmt.Errorf("encode resource: %w", err)}
	}
	return body, nil
}

func jsonInt(v int64) json.Number { return json.Number(fmt.Sprint(v)) }

func jsonNumber(s string) json.Number { return json.Number(s) }
