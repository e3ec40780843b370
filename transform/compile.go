package transform

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/expr-lang/expr"
	exprast "github.com/expr-lang/expr/ast"
)

// compiler turns template nodes into tmpl values. It holds the names that
// expressions may use, so an unknown name is reported at load time with
// its line and column rather than on the first record.
type compiler struct {
	mapping string
	kind    SourceKind
	names   map[string]bool // variables in scope besides the functions
	lookups map[string]map[string]any
}

var identPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// compileExpr compiles one expression. pointer and n locate it for errors.
func (c *compiler) compileExpr(source, pointer string, n *node) (*exprTmpl, error) {
	source = strings.TrimSpace(source)
	if source == "" {
		return nil, c.errorAt(n, "empty expression")
	}
	env := make(map[string]any, len(c.names)+16)
	for name := range c.names {
		env[name] = nil
	}
	for name, fn := range functionTypes(c.kind) {
		env[name] = fn
	}
	if c.kind == SQLSource {
		env["row"] = map[string]any{}
	}
	prog, err := expr.Compile(source, expr.Env(env), expr.DisableBuiltin("now"))
	if err != nil {
		return nil, c.errorAt(n, fmt.Sprintf("invalid expression %q: %s", source, firstLine(err.Error())))
	}
	if err := c.checkLookups(prog.Node(), n); err != nil {
		return nil, err
	}
	return &exprTmpl{location: location{pointer: pointer, line: n.line}, source: source, prog: prog}, nil
}

// checkLookups reports lookup calls that name a table the mapping does not define.
func (c *compiler) checkLookups(root exprast.Node, n *node) error {
	v := &lookupVisitor{}
	exprast.Walk(&root, v)
	for _, name := range v.tables {
		if _, ok := c.lookups[name]; !ok {
			return c.errorAt(n, fmt.Sprintf("unknown lookup table %q: define it under lookups: in this file or in the folder's lookups.yaml", name))
		}
	}
	return nil
}

type lookupVisitor struct{ tables []string }

func (v *lookupVisitor) Visit(node *exprast.Node) {
	call, ok := (*node).(*exprast.CallNode)
	if !ok || len(call.Arguments) == 0 {
		return
	}
	if id, ok := call.Callee.(*exprast.IdentifierNode); !ok || id.Value != "lookup" {
		return
	}
	if s, ok := call.Arguments[0].(*exprast.StringNode); ok {
		v.tables = append(v.tables, s.Value)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func (c *compiler) errorAt(n *node, msg string) error {
	e := &Error{Message: msg}
	if n != nil {
		e.Line, e.Column = n.line, n.column
	}
	return e
}

// compileTemplate compiles a template node found at the JSON pointer.
func (c *compiler) compileTemplate(n *node, pointer string) (tmpl, error) {
	switch n.kind {
	case mapNode:
		return c.compileObject(n, pointer)
	case listNode:
		return c.compileList(n, pointer)
	}
	s, isString := n.value.(string)
	if !isString {
		switch v := n.value.(type) {
		case int64:
			return literal{jsonInt(v)}, nil
		case uint64:
			return literal{jsonNumber(strconv.FormatUint(v, 10))}, nil
		case float64:
			return literal{jsonNumber(strconv.FormatFloat(v, 'f', -1, 64))}, nil
		}
		return literal{n.value}, nil
	}
	return c.compileText(s, pointer, n)
}

// compileText compiles a string that may hold "${ ... }" expressions.
func (c *compiler) compileText(s, pointer string, n *node) (tmpl, error) {
	parts, err := splitInterpolation(s)
	if err != nil {
		return nil, c.errorAt(n, err.Error())
	}
	if len(parts) == 1 {
		if text, ok := parts[0].(string); ok {
			return literal{text}, nil
		}
	}
	t := &interpTmpl{location: location{pointer: pointer, line: n.line}}
	for _, p := range parts {
		if src, ok := p.(exprSource); ok {
			e, err := c.compileExpr(string(src), pointer, n)
			if err != nil {
				return nil, err
			}
			if len(parts) == 1 {
				return e, nil
			}
			t.parts = append(t.parts, e)
			continue
		}
		t.parts = append(t.parts, p)
	}
	return t, nil
}

var versionKeys = map[string]fhir.Version{"$dstu2": fhir.DSTU2, "$stu3": fhir.STU3}

func (c *compiler) compileObject(n *node, pointer string) (tmpl, error) {
	if isVersionSwitch(n) {
		vt := versionTmpl{byVersion: map[fhir.Version]tmpl{}}
		for _, k := range n.keys {
			branch, err := c.compileTemplate(n.fields[k], pointer)
			if err != nil {
				return nil, err
			}
			vt.byVersion[versionKeys[k]] = branch
		}
		return vt, nil
	}
	t := &objectTmpl{location: location{pointer: pointer, line: n.line}}
	for _, k := range n.keys {
		child := n.fields[k]
		switch {
		case k == "$if":
			src, ok := child.str()
			if !ok {
				return nil, c.errorAt(child, "$if must be an expression")
			}
			cond, err := c.compileExpr(src, pointer, child)
			if err != nil {
				return nil, err
			}
			t.cond = cond
			continue
		case strings.HasPrefix(k, "$"):
			return nil, c.errorAt(child, fmt.Sprintf("unknown template keyword %q: use $if, $each with $as and $value, or $dstu2/$stu3", k))
		}
		val, err := c.compileTemplate(child, pointer+"/"+escapePointer(k))
		if err != nil {
			return nil, err
		}
		t.keys = append(t.keys, k)
		t.vals = append(t.vals, val)
	}
	return t, nil
}

func isVersionSwitch(n *node) bool {
	if len(n.keys) == 0 {
		return false
	}
	for _, k := range n.keys {
		if _, ok := versionKeys[k]; !ok {
			return false
		}
	}
	return true
}

func (c *compiler) compileList(n *node, pointer string) (tmpl, error) {
	t := &listTmpl{location: location{pointer: pointer, line: n.line}}
	for i, itemNode := range n.items {
		itemPointer := pointer + "/" + strconv.Itoa(i)
		eachNode := itemNode.field("$each")
		if eachNode == nil {
			body, err := c.compileTemplate(itemNode, itemPointer)
			if err != nil {
				return nil, err
			}
			t.items = append(t.items, listItem{body: body})
			continue
		}
		item, err := c.compileEach(itemNode, eachNode, itemPointer)
		if err != nil {
			return nil, err
		}
		t.items = append(t.items, item)
	}
	return t, nil
}

// compileEach compiles a list item that repeats: {$each: list, $as: name,
// ...body} or {$each: list, $as: name, $value: element}.
func (c *compiler) compileEach(itemNode, eachNode *node, pointer string) (listItem, error) {
	src, ok := eachNode.str()
	if !ok {
		return listItem{}, c.errorAt(eachNode, "$each must be an expression that gives a list")
	}
	each, err := c.compileExpr(src, pointer, eachNode)
	if err != nil {
		return listItem{}, err
	}
	asNode := itemNode.field("$as")
	as, ok := asNode.str()
	if !ok || !identPattern.MatchString(as) {
		return listItem{}, c.errorAt(eachNode, "$each needs $as: a lower-case name for the current element, e.g. $as: item")
	}
	if c.names[as] || functionTypes(c.kind)[as] != nil {
		return listItem{}, c.errorAt(asNode, fmt.Sprintf("$as name %q is already in use: pick another name", as))
	}
	c.names[as] = true
	defer delete(c.names, as)

	body := &node{kind: mapNode, fields: map[string]*node{}, line: itemNode.line, column: itemNode.column}
	for _, k := range itemNode.keys {
		if k == "$each" || k == "$as" {
			continue
		}
		body.keys = append(body.keys, k)
		body.fields[k] = itemNode.fields[k]
	}
	var bodyTmpl tmpl
	if valueNode := body.field("$value"); valueNode != nil {
		if len(body.keys) != 1 {
			return listItem{}, c.errorAt(valueNode, "$value cannot be combined with other keys in a $each item")
		}
		bodyTmpl, err = c.compileTemplate(valueNode, pointer)
	} else {
		bodyTmpl, err = c.compileObject(body, pointer)
	}
	if err != nil {
		return listItem{}, err
	}
	return listItem{each: each, as: as, body: bodyTmpl}, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// exprSource is the text of one "${ ... }" found by splitInterpolation.
type exprSource string

// splitInterpolation splits text into literal strings and expression
// sources. Braces and quotes inside an expression are balanced, so
// "${ {"a": 1}["a"] }" is one expression.
func splitInterpolation(s string) ([]any, error) {
	var parts []any
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			if s != "" || len(parts) == 0 {
				parts = append(parts, s)
			}
			return parts, nil
		}
		if start > 0 {
			parts = append(parts, s[:start])
		}
		end, err := matchBrace(s, start+2)
		if err != nil {
			return nil, err
		}
		parts = append(parts, exprSource(s[start+2:end]))
		s = s[end+1:]
	}
}

func matchBrace(s string, from int) (int, error) {
	depth := 0
	var quote byte
	for i := from; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'' || ch == '`':
			quote = ch
		case ch == '{':
			depth++
		case ch == '}':
			if depth == 0 {
				return i, nil
			}
			depth--
		}
	}
	return 0, errors.New(`unterminated "${": close the expression with "}"`)
}
