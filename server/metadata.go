package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/search"
)

// Fixed URLs of the capability statement.
const (
	oauthURIsExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
	securityServiceCS  = "http://hl7.org/fhir/restful-security-service"
)

// capabilityStatement is the DSTU2 Conformance or STU3 CapabilityStatement
// resource. The elements used here have the same shape in both versions.
type capabilityStatement struct {
	ResourceType   string         `json:"resourceType"`
	Name           string         `json:"name"`
	Status         string         `json:"status"`
	Date           string         `json:"date"`
	Publisher      string         `json:"publisher"`
	Kind           string         `json:"kind"`
	Software       software       `json:"software"`
	Implementation implementation `json:"implementation"`
	FHIRVersion    string         `json:"fhirVersion"`
	AcceptUnknown  string         `json:"acceptUnknown"`
	Format         []string       `json:"format"`
	Rest           []rest         `json:"rest"`
}

type software struct {
	Name string `json:"name"`
}

type implementation struct {
	Description string `json:"description"`
	URL         string `json:"url"`
}

type rest struct {
	Mode        string         `json:"mode"`
	Security    security       `json:"security"`
	Resource    []restResource `json:"resource"`
	Interaction []interaction  `json:"interaction"`
}

type security struct {
	Extension []extension       `json:"extension"`
	Service   []codeableConcept `json:"service"`
}

type extension struct {
	URL       string      `json:"url"`
	ValueURI  string      `json:"valueUri,omitempty"`
	Extension []extension `json:"extension,omitempty"`
}

type codeableConcept struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text,omitempty"`
}

type coding struct {
	System string `json:"system"`
	Code   string `json:"code"`
}

type restResource struct {
	Type        string        `json:"type"`
	Interaction []interaction `json:"interaction"`
	SearchParam []searchParam `json:"searchParam,omitempty"`
}

type interaction struct {
	Code string `json:"code"`
}

type searchParam struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Documentation string   `json:"documentation,omitempty"`
	Target        []string `json:"target,omitempty"` // DSTU2 only
}

// capabilityStatement builds the capability statement of a version from the
// search package's parameter table, so it lists exactly what is served.
func (s *server) capabilityStatement(v fhir.Version, date time.Time) ([]byte, error) {
	resourceType := "CapabilityStatement"
	if v == fhir.DSTU2 {
		resourceType = "Conformance"
	}
	doc := capabilityStatement{
		ResourceType: resourceType,
		Name:         "ehrbridge FHIR API",
		Status:       "active",
		Date:         date.Format(time.RFC3339),
		Publisher:    "ehrbridge",
		Kind:         "instance",
		Software:     software{Name: "ehrbridge"},
		Implementation: implementation{
			Description: "Read-only FHIR API with OAuth 2.0 client credentials; the tenant comes from the token",
			URL:         s.versionBase(v),
		},
		FHIRVersion:   v.Release(),
		AcceptUnknown: "no",
		Format:        []string{"json", v.MediaType()},
		Rest: []rest{{
			Mode:        "server",
			Security:    s.security(),
			Resource:    s.restResources(v),
			Interaction: []interaction{{Code: "batch"}},
		}},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("build capability statement for %s: %w", v, err)
	}
	return data, nil
}

func (s *server) security() security {
	return security{
		Extension: []extension{{
			URL: oauthURIsExtension,
			Extension: []extension{
				{URL: "token", ValueURI: s.base + "/oauth/token"},
				{URL: "authorize", ValueURI: s.base + "/oauth/authorize"},
			},
		}},
		Service: []codeableConcept{{
			Coding: []coding{{System: securityServiceCS, Code: "OAuth"}},
			Text:   "OAuth 2.0 client credentials: send the tenant id as the scope",
		}},
	}
}

func (s *server) restResources(v fhir.Version) []restResource {
	types := search.ResourceTypes(v)
	out := make([]restResource, 0, len(types))
	for _, t := range types {
		r := restResource{
			Type:        t,
			Interaction: []interaction{{Code: "read"}, {Code: "search-type"}},
		}
		for _, p := range search.Params(v, t) {
			sp := searchParam{Name: p.Name, Type: string(p.Type), Documentation: p.Documentation}
			if v == fhir.DSTU2 && p.Target != "" {
				sp.Target = []string{p.Target}
			}
			r.SearchParam = append(r.SearchParam, sp)
		}
		out = append(out, r)
	}
	return out
}

// smartConfiguration builds the SMART configuration document
// (.well-known/smart-configuration), which lists the token endpoint and the
// supported grant and client authentication methods.
func (s *server) smartConfiguration() ([]byte, error) {
	doc := map[string]any{
		"issuer":                                s.base,
		"jwks_uri":                              s.base + "/.well-known/jwks.json",
		"authorization_endpoint":                s.base + "/oauth/authorize",
		"token_endpoint":                        s.base + "/oauth/token",
		"grant_types_supported":                 []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"capabilities":                          []string{"client-confidential-symmetric"},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("build SMART configuration: %w", err)
	}
	return data, nil
}

func (s *server) serveMetadata(w http.ResponseWriter, r *http.Request, v fhir.Version) {
	s.writeFHIR(w, r, http.StatusOK, json.RawMessage(s.metadata[v]))
}

func (s *server) serveSMART(w http.ResponseWriter, _ *http.Request, _ fhir.Version) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(s.smart)
}
