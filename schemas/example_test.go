package schemas_test

import (
	"errors"
	"fmt"

	"github.com/ehrbridge/ehrbridge/fhir"
	"github.com/ehrbridge/ehrbridge/schemas"
)

func ExampleValidator_Validate() {
	v, err := schemas.NewValidator()
	if err != nil {
		panic(err)
	}

	// A DSTU2 Patient with an STU3-style family name and no MRN.
	patient := []byte(`{
		"resourceType": "Patient",
		"name": [{"family": "Example", "given": ["Sam"]}],
		"gender": "female",
		"birthDate": "1980-04-01"
	}`)
	err = v.Validate(fhir.DSTU2, patient)

	var verr *schemas.ValidationError
	if errors.As(err, &verr) {
		for _, issue := range verr.Issues {
			fmt.Println(issue.Layer, issue.Pointer, issue.Keyword)
		}
	}
	// Output:
	// base /name/0/family type
	// profile /identifier required
	// profile /name contains
}
