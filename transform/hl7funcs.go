package transform

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
)

// pathCache holds parsed HL7 paths; mappings use a small, fixed set.
var pathCache sync.Map // string -> hl7.Path

func parsePath(s string) (hl7.Path, string, error) {
	if p, ok := pathCache.Load(s); ok {
		return p.(hl7.Path), s[:3], nil
	}
	p, err := hl7.ParsePath(s)
	if err != nil {
		return hl7.Path{}, "", fmt.Errorf("invalid HL7 path %q: %v", s, err)
	}
	pathCache.Store(s, p)
	return p, s[:3], nil
}

// segmentFor returns the segment a path reads. That is the current for_each
// segment when the names match. Otherwise it is the nearest segment of that
// name before the current one, so OBX rules read the PID and OBR of their
// own group, and failing that the first segment of that name.
func (c *evalContext) segmentFor(name string) *hl7.Segment {
	if c.msg == nil {
		return nil
	}
	if c.seg != nil {
		if c.seg.Name() == name {
			return c.seg
		}
		var found *hl7.Segment
		for _, s := range c.msg.All(name) {
			if s.Index() < c.seg.Index() {
				found = s
			}
		}
		if found != nil {
			return found
		}
	}
	return c.msg.First(name)
}

func (c *evalContext) hl7Value(path string) (string, error) {
	p, name, err := parsePath(path)
	if err != nil {
		return "", err
	}
	seg := c.segmentFor(name)
	if seg == nil {
		return "", nil
	}
	return seg.Get(p), nil
}

func (c *evalContext) hl7All(path string) ([]any, error) {
	p, name, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	seg := c.segmentFor(name)
	if seg == nil {
		return nil, nil
	}
	values := seg.Values(p)
	out := make([]any, 0, len(values))
	for _, v := range values {
		out = append(out, v)
	}
	return out, nil
}

// hl7Find returns valuePath in the first repetition whose matchPath equals
// want, e.g. hl7_find("PID-3.1", "PID-3.5", "MR") for the MRN. Both paths
// must name the same segment and field.
func (c *evalContext) hl7Find(valuePath, matchPath, want string) (string, error) {
	vp, name, err := parsePath(valuePath)
	if err != nil {
		return "", err
	}
	mp, matchName, err := parsePath(matchPath)
	if err != nil {
		return "", err
	}
	if matchName != name || fieldOf(valuePath) != fieldOf(matchPath) {
		return "", errors.New("hl7_find: both paths must name the same segment and field, e.g. PID-3.1 and PID-3.5")
	}
	seg := c.segmentFor(name)
	if seg == nil {
		return "", nil
	}
	values := seg.Values(vp)
	matches := seg.Values(mp)
	for i := range matches {
		if i < len(values) && strings.EqualFold(matches[i], want) {
			return values[i], nil
		}
	}
	return "", nil
}

// fieldOf returns "PID-3" for "PID-3.5" or "PID-3(2).1".
func fieldOf(path string) string {
	end := strings.IndexAny(path, ".(")
	if end < 0 {
		return path
	}
	return path[:end]
}

func (c *evalContext) hl7IsNull(path string) (bool, error) {
	p, name, err := parsePath(path)
	if err != nil {
		return false, err
	}
	seg := c.segmentFor(name)
	if seg == nil {
		return false, nil
	}
	return seg.IsNull(p), nil
}

// hl7Date converts an HL7 DTM value to a FHIR date, keeping its precision.
func hl7Date(v any) (any, error) {
	s := strings.TrimSpace(scalarText(v))
	if s == "" {
		return nil, nil
	}
	t, err := hl7.ParseTime(s)
	if err != nil {
		return nil, fmt.Errorf("hl7_date: %w", err)
	}
	return t.FHIRDate(), nil
}

// hl7DateTime converts an HL7 DTM value to a FHIR dateTime, keeping its
// precision and offset; a value without an offset is read in loc.
func hl7DateTime(v any, loc *time.Location) (any, error) {
	s := strings.TrimSpace(scalarText(v))
	if s == "" {
		return nil, nil
	}
	t, err := hl7.ParseTime(s)
	if err != nil {
		return nil, fmt.Errorf("hl7_datetime: %w", err)
	}
	return t.FHIRDateTime(loc), nil
}
