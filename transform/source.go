package transform

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

var (
	sqlSourceKeys = []string{"kind", "query", "cursor", "key", "initial_cursor", "time_zone"}
	hl7SourceKeys = []string{"kind", "messages", "for_each", "time_zone"}
)

// compileSource reads the source: block.
func (m *Mapping) compileSource(root *node) error {
	src := root.field("source")
	if src == nil || src.kind != mapNode {
		at := root
		if src != nil {
			at = src
		}
		return &Error{Line: at.line, Column: at.column, Message: "missing source: a map with kind sql or hl7v2"}
	}
	kind, err := requiredString(src, "kind")
	if err != nil {
		return err
	}
	allowed := sqlSourceKeys
	switch SourceKind(kind) {
	case SQLSource:
	case HL7Source:
		allowed = hl7SourceKeys
	default:
		n := src.field("kind")
		return &Error{Line: n.line, Column: n.column, Message: "invalid source kind: use sql or hl7v2"}
	}
	m.Kind = SourceKind(kind)
	for _, k := range src.keys {
		if !slices.Contains(allowed, k) {
			n := src.fields[k]
			return &Error{Line: n.line, Column: n.column, Message: fmt.Sprintf("unknown key %q in a %s source: allowed keys are %s", k, kind, strings.Join(allowed, ", "))}
		}
	}
	if tz := src.field("time_zone"); tz != nil {
		name, _ := tz.str()
		loc, err := time.LoadLocation(name)
		if err != nil {
			return &Error{Line: tz.line, Column: tz.column, Message: "invalid time_zone: use an IANA zone name such as America/Chicago"}
		}
		m.timeZone = loc
	}
	if m.Kind == SQLSource {
		return m.compileSQLSource(src)
	}
	return m.compileHL7Source(src)
}

func (m *Mapping) compileSQLSource(src *node) error {
	var err error
	if m.Query, err = requiredString(src, "query"); err != nil {
		return err
	}
	q := src.field("query")
	if !strings.Contains(m.Query, ":cursor") {
		return &Error{Line: q.line, Column: q.column, Message: "query must filter on the cursor with :cursor, e.g. WHERE updated_at > :cursor ORDER BY updated_at, id"}
	}
	if m.CursorColumn, err = requiredString(src, "cursor"); err != nil {
		return err
	}
	keys := src.field("key")
	if keys == nil {
		return &Error{Line: src.line, Column: src.column, Message: "missing key: list the columns that identify a row, e.g. [id]"}
	}
	if s, ok := keys.str(); ok {
		m.KeyColumns = []string{s}
	} else {
		for _, item := range keys.items {
			s, ok := item.str()
			if !ok || s == "" {
				return &Error{Line: item.line, Column: item.column, Message: "key must list column names"}
			}
			m.KeyColumns = append(m.KeyColumns, s)
		}
	}
	if len(m.KeyColumns) == 0 {
		return &Error{Line: keys.line, Column: keys.column, Message: "key must list at least one column"}
	}
	m.InitialCursor, _ = src.field("initial_cursor").str()
	return nil
}

func (m *Mapping) compileHL7Source(src *node) error {
	msgs := src.field("messages")
	if msgs == nil || msgs.kind != listNode || len(msgs.items) == 0 {
		return &Error{Line: src.line, Column: src.column, Message: "missing messages: list the HL7 message types, e.g. [ADT^A01, ADT^A08]"}
	}
	for _, item := range msgs.items {
		s, _ := item.str()
		if !messageTypePattern.MatchString(s) {
			return &Error{Line: item.line, Column: item.column, Message: "invalid message type: write MSH-9.1^MSH-9.2 such as ORU^R01, or ADT^* for every event"}
		}
		m.Messages = append(m.Messages, s)
	}
	if fe := src.field("for_each"); fe != nil {
		s, _ := fe.str()
		if !segmentNamePattern.MatchString(s) {
			return &Error{Line: fe.line, Column: fe.column, Message: "for_each must be a segment name such as OBX"}
		}
		m.ForEach = s
	}
	return nil
}

// compileRules compiles when, let, id, source_time and template.
func (m *Mapping) compileRules(root *node) error {
	c := &compiler{mapping: m.Name, kind: m.Kind, names: map[string]bool{}, lookups: m.lookups}
	var err error
	if n := root.field("when"); n != nil {
		if m.when, err = c.ruleExpr(n, "when"); err != nil {
			return err
		}
	}
	if lets := root.field("let"); lets != nil {
		if lets.kind != mapNode {
			return &Error{Line: lets.line, Column: lets.column, Message: "let must be a map of name to expression"}
		}
		for _, name := range lets.keys {
			n := lets.fields[name]
			if !identPattern.MatchString(name) || functionTypes(m.Kind)[name] != nil || name == "row" {
				return &Error{Line: n.line, Column: n.column, Message: fmt.Sprintf("invalid let name %q: use a lower-case name that is not a function or row", name)}
			}
			e, err := c.ruleExpr(n, "let."+name)
			if err != nil {
				return err
			}
			m.lets = append(m.lets, letRule{name: name, expr: e})
			c.names[name] = true
		}
	}
	idNode := root.field("id")
	if idNode == nil {
		return &Error{Line: root.line, Column: root.column, Message: "missing id: an expression for the resource id, e.g. stable_id(\"Patient\", row.mrn)"}
	}
	if m.id, err = c.ruleExpr(idNode, "/id"); err != nil {
		return err
	}
	if n := root.field("source_time"); n != nil {
		if m.sourceTime, err = c.ruleExpr(n, "source_time"); err != nil {
			return err
		}
	}
	tn := root.field("template")
	if tn == nil || tn.kind != mapNode {
		return &Error{Line: root.line, Column: root.column, Message: "missing template: a map with the resource's elements"}
	}
	m.template, err = c.compileTemplate(tn, "")
	return err
}

// ruleExpr compiles a rule written as a plain expression (no "${ }").
func (c *compiler) ruleExpr(n *node, pointer string) (*exprTmpl, error) {
	s, ok := n.str()
	if !ok {
		return nil, c.errorAt(n, fmt.Sprintf("%s must be an expression", pointer))
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
		s = s[2 : len(s)-1]
	}
	return c.compileExpr(s, pointer, n)
}
