package transform

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/expr-lang/expr/vm"
)

// tmpl is one compiled element of a resource template.
type tmpl interface {
	// eval returns the element's value, or nil when it is to be left out.
	eval(c *evalContext, v fhir.Version) (any, error)
}

// location is the position of a template element in the resource and in
// the mapping file, for error messages.
type location struct {
	pointer string
	line    int
}

type literal struct{ value any }

// exprTmpl is an expression written as "${ ... }" in a template, or as a
// plain expression in a rule such as id or when.
type exprTmpl struct {
	location
	source string
	prog   *vm.Program
}

// interpTmpl is text with embedded expressions: "Dr. ${ row.family }".
type interpTmpl struct {
	location
	parts []any // string or *exprTmpl
}

type objectTmpl struct {
	location
	cond *exprTmpl // $if
	keys []string
	vals []tmpl
}

type listItem struct {
	each *exprTmpl // $each: the list to iterate, or nil for a single item
	as   string    // $as: the name each element gets in the body
	body tmpl
}

type listTmpl struct {
	location
	items []listItem
}

// versionTmpl picks a different element per FHIR version ($dstu2, $stu3).
// A version with no branch leaves the element out.
type versionTmpl struct {
	byVersion map[fhir.Version]tmpl
}

func (l literal) eval(*evalContext, fhir.Version) (any, error) { return l.value, nil }

func (e *exprTmpl) eval(c *evalContext, _ fhir.Version) (any, error) {
	out, err := c.run(e)
	if err != nil {
		return nil, err
	}
	return normalize(out, e.location)
}

func (t *interpTmpl) eval(c *evalContext, _ fhir.Version) (any, error) {
	var b strings.Builder
	for _, p := range t.parts {
		switch x := p.(type) {
		case string:
			b.WriteString(x)
		case *exprTmpl:
			out, err := c.run(x)
			if err != nil {
				return nil, err
			}
			switch out.(type) {
			case nil, string, int, int64, float64, json.Number, bool:
				b.WriteString(scalarText(out))
			default:
				return nil, &RecordError{Field: x.pointer, Line: x.line,
					Err: fmt.Errorf("expression %q inside text must give text or a number", x.source)}
			}
		}
	}
	return emptyToNil(strings.TrimSpace(b.String())), nil
}

func (t *objectTmpl) eval(c *evalContext, v fhir.Version) (any, error) {
	if t.cond != nil {
		ok, err := c.runBool(t.cond)
		if err != nil || !ok {
			return nil, err
		}
	}
	o := newObject()
	for i, k := range t.keys {
		val, err := t.vals[i].eval(c, v)
		if err != nil {
			return nil, err
		}
		if val != nil {
			o.set(k, val)
		}
	}
	if len(o.keys) == 0 {
		return nil, nil
	}
	return o, nil
}

func (t *listTmpl) eval(c *evalContext, v fhir.Version) (any, error) {
	var out []any
	for _, item := range t.items {
		if item.each == nil {
			val, err := item.body.eval(c, v)
			if err != nil {
				return nil, err
			}
			out = appendValue(out, val)
			continue
		}
		elems, err := c.run(item.each)
		if err != nil {
			return nil, err
		}
		list, err := toList(elems, item.each.location)
		if err != nil {
			return nil, err
		}
		saved, had := c.env[item.as]
		for _, elem := range list {
			c.env[item.as] = elem
			val, err := item.body.eval(c, v)
			if err != nil {
				return nil, err
			}
			out = appendValue(out, val)
		}
		if had {
			c.env[item.as] = saved
		} else {
			delete(c.env, item.as)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// appendValue adds val to a list; a list value is spliced in, so an
// expression can yield several elements.
func appendValue(out []any, val any) []any {
	switch x := val.(type) {
	case nil:
		return out
	case []any:
		return append(out, x...)
	}
	return append(out, val)
}

func (t versionTmpl) eval(c *evalContext, v fhir.Version) (any, error) {
	branch, ok := t.byVersion[v]
	if !ok {
		return nil, nil
	}
	return branch.eval(c, v)
}

// normalize turns an expression result into a JSON value: maps become
// ordered objects, slices become []any, empty values become nil. Times
// are rejected because FHIR needs an explicit date or dateTime format.
func normalize(v any, loc location) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return emptyToNil(x), nil
	case bool, json.Number:
		return x, nil
	case int:
		return json.Number(strconv.Itoa(x)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case float64:
		return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), nil
	case *object:
		if len(x.keys) == 0 {
			return nil, nil
		}
		return x, nil
	case map[string]any:
		o := newObject()
		for _, k := range objectFromMap(x).keys {
			val, err := normalize(x[k], loc)
			if err != nil {
				return nil, err
			}
			if val != nil {
				o.set(k, val)
			}
		}
		return normalize(o, loc)
	case time.Time:
		return nil, &RecordError{Field: loc.pointer, Line: loc.line,
			Err: errors.New("expression gave a timestamp: format it with fhir_date or fhir_datetime")}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		var out []any
		for i := 0; i < rv.Len(); i++ {
			val, err := normalize(rv.Index(i).Interface(), loc)
			if err != nil {
				return nil, err
			}
			if val != nil {
				out = append(out, val)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return scalarText(v), nil
}

func emptyToNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func toList(v any, loc location) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	if l, ok := v.([]any); ok {
		return l, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, &RecordError{Field: loc.pointer, Line: loc.line,
			Err: errors.New("$each expression must give a list")}
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, nil
}
