package transform

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
)

// LookupsFile is the optional file in a mapping folder that defines lookup
// tables shared by every mapping in that folder.
const LookupsFile = "lookups.yaml"

// Set is the compiled mappings of one or more folders.
type Set struct {
	mappings []*Mapping
}

// Mappings returns every mapping in the set, sorted by name.
func (s *Set) Mappings() []*Mapping { return s.mappings }

// ForMessage returns the HL7 mappings that read messages of msgType.
func (s *Set) ForMessage(msgType string) []*Mapping {
	var out []*Mapping
	for _, m := range s.mappings {
		if m.MatchesMessage(msgType) {
			out = append(out, m)
		}
	}
	return out
}

// OfKind returns the mappings that read the given kind of source.
func (s *Set) OfKind(kind SourceKind) []*Mapping {
	var out []*Mapping
	for _, m := range s.mappings {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// Load compiles every *.yaml mapping file in the given folders of fsys.
// It returns every problem found, each as file:line:column: message,
// joined into one error.
func Load(fsys fs.FS, dirs ...string) (*Set, error) {
	var errs []error
	set := &Set{}
	names := map[string]string{}
	for _, dir := range dirs {
		mappings, err := loadDir(fsys, dir)
		if err != nil {
			errs = append(errs, err)
		}
		for _, m := range mappings {
			if other, dup := names[m.Name]; dup {
				errs = append(errs, &Error{File: m.File, Message: fmt.Sprintf("duplicate mapping name %q (also in %s): names must be unique", m.Name, other)})
				continue
			}
			names[m.Name] = m.File
			set.mappings = append(set.mappings, m)
		}
	}
	sort.Slice(set.mappings, func(i, j int) bool { return set.mappings[i].Name < set.mappings[j].Name })
	return set, errors.Join(errs...)
}

func loadDir(fsys fs.FS, dir string) ([]*Mapping, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read mapping folder %s: %w", dir, err)
	}
	shared, err := loadLookups(fsys, path.Join(dir, LookupsFile))
	if err != nil {
		return nil, err
	}
	var errs []error
	var out []*Mapping
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == LookupsFile || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		file := path.Join(dir, name)
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			errs = append(errs, fmt.Errorf("read mapping %s: %w", file, err))
			continue
		}
		m, err := Compile(file, data, shared)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	return out, errors.Join(errs...)
}

// loadLookups reads a lookups file (table name to key-value map); a missing
// file gives no tables.
func loadLookups(fsys fs.FS, file string) (map[string]map[string]any, error) {
	data, err := fs.ReadFile(fsys, file)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]map[string]any{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read lookups %s: %w", file, err)
	}
	root, err := parseYAML(data)
	if err != nil {
		return nil, withFile(file, err)
	}
	tables, err := compileLookups(root)
	return tables, withFile(file, err)
}

func compileLookups(n *node) (map[string]map[string]any, error) {
	tables := map[string]map[string]any{}
	if n == nil {
		return tables, nil
	}
	if n.kind != mapNode {
		return nil, &Error{Line: n.line, Column: n.column, Message: "lookups must be a map of table name to a map of key to value"}
	}
	for _, name := range n.keys {
		t := n.fields[name]
		if t.kind != mapNode {
			return nil, &Error{Line: t.line, Column: t.column, Message: fmt.Sprintf("lookup table %q must be a map of key to value", name)}
		}
		table := make(map[string]any, len(t.keys))
		for _, k := range t.keys {
			table[k] = t.fields[k].plain()
		}
		tables[name] = table
	}
	return tables, nil
}

func withFile(file string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		e.File = file
		return e
	}
	return fmt.Errorf("%s: %w", file, err)
}

// topLevelKeys are the keys a mapping file may contain.
var topLevelKeys = []string{"name", "description", "source", "resource", "versions", "when", "let", "id", "source_time", "template", "lookups"}

// Compile reads one mapping file. shared holds the folder's lookup tables;
// tables in the file itself take precedence.
func Compile(file string, data []byte, shared map[string]map[string]any) (*Mapping, error) {
	root, err := parseYAML(data)
	if err != nil {
		return nil, withFile(file, err)
	}
	m, err := compileMapping(file, root, shared)
	return m, withFile(file, err)
}

func compileMapping(file string, root *node, shared map[string]map[string]any) (*Mapping, error) {
	if root.kind != mapNode {
		return nil, &Error{Line: root.line, Column: root.column, Message: "a mapping file must be a YAML map"}
	}
	for _, k := range root.keys {
		if !slices.Contains(topLevelKeys, k) {
			n := root.fields[k]
			return nil, &Error{Line: n.line, Column: n.column, Message: fmt.Sprintf("unknown key %q: allowed keys are %s", k, strings.Join(topLevelKeys, ", "))}
		}
	}
	m := &Mapping{File: file, timeZone: time.UTC}
	var err error
	if m.Name, err = requiredString(root, "name"); err != nil {
		return nil, err
	}
	m.Description, _ = root.field("description").str()
	if err := m.compileSource(root); err != nil {
		return nil, err
	}
	if m.ResourceType, err = requiredString(root, "resource"); err != nil {
		return nil, err
	}
	if !resourceTypePattern.MatchString(m.ResourceType) {
		n := root.field("resource")
		return nil, &Error{Line: n.line, Column: n.column, Message: "resource must be a FHIR resource type such as Patient"}
	}
	if err := m.compileVersions(root); err != nil {
		return nil, err
	}
	m.lookups = map[string]map[string]any{}
	for k, v := range shared {
		m.lookups[k] = v
	}
	own, err := compileLookups(root.field("lookups"))
	if err != nil {
		return nil, err
	}
	for k, v := range own {
		m.lookups[k] = v
	}
	return m, m.compileRules(root)
}

func requiredString(n *node, key string) (string, error) {
	v := n.field(key)
	s, ok := v.str()
	if v == nil || !ok || strings.TrimSpace(s) == "" {
		line, col := n.line, n.column
		if v != nil {
			line, col = v.line, v.column
		}
		return "", &Error{Line: line, Column: col, Message: fmt.Sprintf("missing %s: it is required and must be text", key)}
	}
	return strings.TrimSpace(s), nil
}

func (m *Mapping) compileVersions(root *node) error {
	n := root.field("versions")
	if n == nil || n.kind != listNode || len(n.items) == 0 {
		at := root
		if n != nil {
			at = n
		}
		return &Error{Line: at.line, Column: at.column, Message: "missing versions: list the FHIR versions this mapping produces, e.g. [dstu2, stu3]"}
	}
	for _, item := range n.items {
		s, _ := item.str()
		v, err := fhir.ParseVersion(s)
		if err != nil {
			return &Error{Line: item.line, Column: item.column, Message: err.Error()}
		}
		if slices.Contains(m.Versions, v) {
			return &Error{Line: item.line, Column: item.column, Message: fmt.Sprintf("version %s is listed twice", v)}
		}
		m.Versions = append(m.Versions, v)
	}
	return nil
}

// Merge returns a set with the mappings of s and other.
func (s *Set) Merge(other *Set) *Set {
	out := &Set{mappings: append(append([]*Mapping{}, s.mappings...), other.mappings...)}
	sort.Slice(out.mappings, func(i, j int) bool { return out.mappings[i].Name < out.mappings[j].Name })
	return out
}

// Filter returns a set with the mappings of one source kind.
func (s *Set) Filter(kind SourceKind) *Set {
	return &Set{mappings: s.OfKind(kind)}
}
