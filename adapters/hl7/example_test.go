package hl7_test

import (
	"fmt"
	"time"

	"github.com/ehrbridge/ehrbridge/adapters/hl7"
)

func ExampleParse() {
	data := []byte("MSH|^~\\&|LAB|HOSP|EHRBRIDGE|FAC|202403151215-0500||ORU^R01^ORU_R01|MSG-1|P|2.5.1\r" +
		"PID|1||MRN-1^^^HOSP^MR||DOE^JANE^Q\r" +
		"OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL^gram per deciliter^UCUM|||||F\r" +
		"OBX|2|TX|SYN-1^Comment^L||Line 1\\.br\\Line 2 \\T\\ more|||||F\r")
	m, err := hl7.Parse(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Type(), m.ControlID(), m.VersionID())
	fmt.Println(m.Get(hl7.MustParsePath("PID-5")), m.Get(hl7.MustParsePath("PID-5.2")))
	for _, obx := range m.All("OBX") {
		fmt.Printf("%q\n", obx.Get(hl7.MustParsePath("OBX-5")))
	}
	// Output:
	// ORU^R01 MSG-1 2.5.1
	// DOE JANE
	// "13.2"
	// "Line 1\nLine 2 & more"
}

func ExampleParsePath() {
	p, err := hl7.ParsePath("PID-3(2).4.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s field %d repetition %d component %d subcomponent %d\n",
		p.Segment, p.Field, p.Repetition, p.Component, p.Subcomponent)

	_, err = hl7.ParsePath("PID-3.0")
	fmt.Println(err)
	// Output:
	// PID field 3 repetition 2 component 4 subcomponent 1
	// hl7: invalid path "PID-3.0": component number must be 1 or more, without a leading zero
}

func ExampleSegment_Values() {
	m, err := hl7.Parse([]byte("MSH|^~\\&|APP\rPID|1||MRN-1^^^HOSP^MR~SSN-1^^^SSA^SS"))
	if err != nil {
		fmt.Println(err)
		return
	}
	pid := m.First("PID")
	fmt.Println(pid.Values(hl7.MustParsePath("PID-3.5")))
	fmt.Println(pid.Get(hl7.MustParsePath("PID-3(2)")))
	// Output:
	// [MR SS]
	// SSN-1
}

func ExampleSegment_IsNull() {
	m, err := hl7.Parse([]byte("MSH|^~\\&|APP\rPID|1||MRN-1||DOE^JANE|\"\"|"))
	if err != nil {
		fmt.Println(err)
		return
	}
	pid := m.First("PID")
	for _, path := range []string{"PID-6", "PID-7"} {
		p := hl7.MustParsePath(path)
		fmt.Printf("%s: value %q, null %v\n", path, pid.Get(p), pid.IsNull(p))
	}
	// Output:
	// PID-6: value "", null true
	// PID-7: value "", null false
}

func ExampleSplit() {
	stream := []byte("\x0bMSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1\r\x1c\r" +
		"\x0bMSH|^~\\&|A||||||ADT^A08|2|P|2.5\rPID|1\r\x1c\r")
	messages, err := hl7.Split(stream)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, data := range messages {
		m, err := hl7.Parse(data)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(m.Type())
	}

	_, err = hl7.Split([]byte("\x0bMSH|^~\\&|A\r"))
	fmt.Println(err)
	// Output:
	// ADT^A01
	// ADT^A08
	// hl7: split: byte offset 0: MLLP frame has no end block (0x1C 0x0D)
}

func ExampleParseTime() {
	for _, s := range []string{"198002", "202403150830+0215", "20240315083012.25"} {
		t, err := hl7.ParseTime(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(t.Precision(), t.FHIRDate(), t.FHIRDateTime(time.UTC))
	}
	_, err := hl7.ParseTime("20241301")
	fmt.Println(err)
	// Output:
	// month 1980-02 1980-02
	// minute 2024-03-15 2024-03-15T08:30:00+02:15
	// second 2024-03-15 2024-03-15T08:30:12.25+00:00
	// hl7: invalid timestamp: invalid month (13)
}
