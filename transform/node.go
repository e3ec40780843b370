package transform

import (
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// nodeKind is the shape of a YAML value in a mapping file.
type nodeKind int

const (
	scalarNode nodeKind = iota
	mapNode
	listNode
)

// node is a YAML value with the position it was read from, so that every
// error in a mapping file can point at its line and column.
type node struct {
	kind   nodeKind
	value  any // scalar value: string, int64, float64, bool or nil
	keys   []string
	fields map[string]*node
	items  []*node
	line   int
	column int
}

// field returns the value of key in a map node, or nil when absent.
func (n *node) field(key string) *node {
	if n == nil || n.kind != mapNode {
		return nil
	}
	return n.fields[key]
}

// str returns the text of a scalar node, and false when the node is not a
// scalar string or number.
func (n *node) str() (string, bool) {
	if n == nil || n.kind != scalarNode {
		return "", false
	}
	switch v := n.value.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// plain converts the node into the values encoding/json produces, for
// checking against the mapping-file JSON Schema.
func (n *node) plain() any {
	switch n.kind {
	case mapNode:
		m := make(map[string]any, len(n.keys))
		for _, k := range n.keys {
			m[k] = n.fields[k].plain()
		}
		return m
	case listNode:
		l := make([]any, len(n.items))
		for i, item := range n.items {
			l[i] = item.plain()
		}
		return l
	}
	switch v := n.value.(type) {
	case int64:
		return float64(v)
	case uint64:
		return float64(v)
	}
	return n.value
}

// parseYAML reads one YAML document into a node tree.
func parseYAML(data []byte) (*node, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, err
	}
	if len(file.Docs) != 1 {
		return nil, fmt.Errorf("expected exactly one YAML document, found %d", len(file.Docs))
	}
	body := file.Docs[0].Body
	if body == nil {
		return nil, fmt.Errorf("the file is empty")
	}
	return convertNode(body)
}

func convertNode(n ast.Node) (*node, error) {
	pos := n.GetToken().Position
	out := &node{line: pos.Line, column: pos.Column}
	switch v := n.(type) {
	case *ast.MappingNode:
		out.kind = mapNode
		out.fields = make(map[string]*node, len(v.Values))
		for _, mv := range v.Values {
			if err := out.addPair(mv); err != nil {
				return nil, err
			}
		}
	case *ast.MappingValueNode:
		out.kind = mapNode
		out.fields = make(map[string]*node, 1)
		if err := out.addPair(v); err != nil {
			return nil, err
		}
	case *ast.SequenceNode:
		out.kind = listNode
		for _, item := range v.Values {
			c, err := convertNode(item)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, c)
		}
	case *ast.StringNode:
		out.value = v.Value
	case *ast.LiteralNode:
		out.value = v.Value.Value
	case *ast.IntegerNode:
		out.value = v.GetValue()
	case *ast.FloatNode:
		out.value = v.GetValue()
	case *ast.BoolNode:
		out.value = v.Value
	case *ast.NullNode:
		out.value = nil
	case *ast.TagNode:
		return convertNode(v.Value)
	case *ast.CommentNode, *ast.CommentGroupNode:
		out.value = nil
	default:
		return nil, &Error{Line: pos.Line, Column: pos.Column,
			Message: fmt.Sprintf("unsupported YAML construct %s: write plain maps, lists and scalars (anchors and aliases are not supported)", n.Type())}
	}
	return out, nil
}

func (n *node) addPair(mv *ast.MappingValueNode) error {
	keyPos := mv.Key.GetToken().Position
	key := mv.Key.GetToken().Value
	if _, dup := n.fields[key]; dup {
		return &Error{Line: keyPos.Line, Column: keyPos.Column,
			Message: fmt.Sprintf("duplicate key %q: each key may appear once in a map", key)}
	}
	var value *node
	if mv.Value == nil {
		value = &node{line: keyPos.Line, column: keyPos.Column}
	} else {
		var err error
		value, err = convertNode(mv.Value)
		if err != nil {
			return err
		}
	}
	n.keys = append(n.keys, key)
	n.fields[key] = value
	return nil
}
