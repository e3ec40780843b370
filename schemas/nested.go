package schemas

import "strconv"

// nestedKeys are the element names under which FHIR nests whole resources:
// DomainResource.contained, Bundle.entry.resource and
// Parameters.parameter.resource.
var nestedKeys = map[string]bool{"contained": true, "resource": true}

// nestedResource is a resource found inside another one.
type nestedResource struct {
	location     []string // JSON pointer tokens, relative to the outer resource
	resourceType string
	value        map[string]any
}

// nestedResources returns the resources directly nested in a decoded
// resource: objects with a string resourceType found under a nestedKeys
// member, alone or in an array. It does not descend into the nested
// resources, because the caller checks each one as a resource of its own.
func nestedResources(instance any) []nestedResource {
	var found []nestedResource
	var walk func(v any, location []string)
	walk = func(v any, location []string) {
		switch node := v.(type) {
		case map[string]any:
			for key, child := range node {
				childLocation := concat(location, []string{key})
				if nestedKeys[key] && collect(child, childLocation, &found) {
					continue
				}
				walk(child, childLocation)
			}
		case []any:
			for i, child := range node {
				walk(child, concat(location, []string{strconv.Itoa(i)}))
			}
		}
	}
	walk(instance, nil)
	return found
}

// collect appends v, or each entry of v, that is an object with a
// resourceType, and reports whether it found any.
func collect(v any, location []string, found *[]nestedResource) bool {
	if items, ok := v.([]any); ok {
		matched := false
		for i, item := range items {
			if collect(item, concat(location, []string{strconv.Itoa(i)}), found) {
				matched = true
			}
		}
		return matched
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false
	}
	resourceType, ok := obj["resourceType"].(string)
	if !ok {
		return false
	}
	*found = append(*found, nestedResource{location: location, resourceType: resourceType, value: obj})
	return true
}
