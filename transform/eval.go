package transform

import (
	"errors"
	"fmt"
	"time"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
	"github.com/expr-lang/expr"
)

// evalContext holds one record while a mapping runs over it.
type evalContext struct {
	mapping *Mapping
	env     map[string]any
	loc     *time.Location // zone for source times that carry none
	msg     *hl7.Message
	seg     *hl7.Segment // current for_each segment, if any
}

func newEvalContext(m *Mapping) *evalContext {
	c := &evalContext{mapping: m, loc: m.timeZone}
	c.env = c.functions()
	return c
}

// run evaluates an expression against the record.
func (c *evalContext) run(e *exprTmpl) (any, error) {
	out, err := expr.Run(e.prog, c.env)
	if err != nil {
		return nil, &RecordError{Mapping: c.mapping.Name, Field: e.pointer, Line: e.line, Err: safeExprError(e, err)}
	}
	return out, nil
}

func (c *evalContext) runBool(e *exprTmpl) (bool, error) {
	out, err := c.run(e)
	if err != nil {
		return false, err
	}
	switch b := out.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, &RecordError{Mapping: c.mapping.Name, Field: e.pointer, Line: e.line,
		Err: fmt.Errorf("condition %q must give true or false", e.source)}
}

// valueError is an error raised by a mapping function. Its text is written
// to contain no record values.
type valueError struct{ err error }

func (e *valueError) Error() string { return e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

// safeExprError keeps the message of a mapping function's own error. The
// expression engine's own messages can quote record values (for example a
// failed int() conversion), so only the failing expression is named.
func safeExprError(e *exprTmpl, err error) error {
	var ve *valueError
	if errors.As(err, &ve) {
		return ve.err
	}
	return fmt.Errorf("expression %q failed at run time: check the types and empty values it reads (the engine's message is withheld because it can quote patient data)", e.source)
}

// wrap marks an error of a mapping function as safe to report.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return &valueError{err}
}

// functions returns the functions expressions may call, bound to c. The
// same set, unbound, gives the compiler the names and types to check.
func (c *evalContext) functions() map[string]any {
	f := map[string]any{
		"stable_id": func(parts ...any) (string, error) {
			id, err := stableID(parts...)
			return id, wrap(err)
		},
		"lookup": func(table string, key any, fallback ...any) (any, error) {
			return c.lookup(table, key, fallback...)
		},
		"decimal": func(v any) (any, error) {
			out, err := decimal(v)
			return out, wrap(err)
		},
		"coalesce":  coalesce,
		"name_text": nameText,
		"reference": func(resourceType string, id any, display ...any) (any, error) {
			return reference(resourceType, id, display...)
		},
		"ucum": ucum,
		"fhir_date": func(v any) (any, error) {
			out, err := fhirDate(v)
			return out, wrap(err)
		},
		"fhir_datetime": func(v any) (any, error) {
			out, err := fhirDateTime(v, c.loc)
			return out, wrap(err)
		},
		"hl7_date": func(v any) (any, error) {
			out, err := hl7Date(v)
			return out, wrap(err)
		},
		"hl7_datetime": func(v any) (any, error) {
			out, err := hl7DateTime(v, c.loc)
			return out, wrap(err)
		},
	}
	if c.mapping == nil || c.mapping.Kind == HL7Source {
		f["hl7"] = func(path string) (string, error) {
			out, err := c.hl7Value(path)
			return out, wrap(err)
		}
		f["hl7_all"] = func(path string) ([]any, error) {
			out, err := c.hl7All(path)
			return out, wrap(err)
		}
		f["hl7_find"] = func(valuePath, matchPath string, want string) (string, error) {
			out, err := c.hl7Find(valuePath, matchPath, want)
			return out, wrap(err)
		}
		f["hl7_is_null"] = func(path string) (bool, error) {
			out, err := c.hl7IsNull(path)
			return out, wrap(err)
		}
	}
	return f
}

// functionTypes returns the function set of a source kind for type checks.
func functionTypes(kind SourceKind) map[string]any {
	c := &evalContext{mapping: &Mapping{Kind: kind}}
	return c.functions()
}

func (c *evalContext) lookup(table string, key any, fallback ...any) (any, error) {
	t, ok := c.mapping.lookups[table]
	if !ok {
		return nil, wrap(fmt.Errorf("lookup: unknown table %q", table))
	}
	if v, ok := t[scalarText(key)]; ok {
		return v, nil
	}
	if len(fallback) > 0 {
		return fallback[0], nil
	}
	return nil, nil
}
