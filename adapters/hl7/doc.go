// Package hl7 parses HL7 version 2 messages and reads values from them by
// path, for the mappings that turn HL7 v2 feeds into FHIR resources.
//
// The package is pure: it does no I/O and no logging, and its errors name
// locations (segment index, segment name, field such as MSH-2, byte offset)
// but never message content, so they are safe to log.
//
// # Messages
//
// [Parse] reads one message. The delimiters come from the message itself:
// MSH-1 is the field separator and MSH-2 holds the component, repetition,
// escape and subcomponent characters, plus the truncation character from
// HL7 v2.7 on. Because MSH-1 is the field separator itself, MSH-3 is the
// first field after the encoding characters, and [Segment.Field] numbers MSH
// fields that way. Segments may end with \r, \n or \r\n.
//
// Parse indexes the field separators of each segment once. Repetitions,
// components and subcomponents are found when read, and a value that needs
// no unescaping is a slice of the message text, so reading it does not
// allocate.
//
// [Split] divides a file or an MLLP stream into messages.
//
// # Paths
//
// Mappings name values with paths, parsed by [ParsePath]:
//
//	path         = segment "-" field [ "(" repetition ")" ] [ "." component [ "." subcomponent ] ]
//	segment      = 3 uppercase letters or digits
//	field, repetition, component, subcomponent = a number from 1 to 9999, no leading zero
//
// For example PID-3, PID-5.1, PID-3(2).1, OBX-5, MSH-9.2 and PID-11.1.1.
//
// [Message.Get] and [Segment.Get] return one decoded value. A path without a
// repetition reads the first repetition, a path without a component number
// reads component 1, and a path without a subcomponent number reads
// subcomponent 1. So PID-5 is the family name (PID-5.1.1), PID-3 is the
// first identifier's ID number, and OBX-5 of a numeric (NM) result is the
// number. [Segment.Values] returns the value for every repetition.
//
// # Escape sequences
//
// Values are decoded: \F\, \S\, \T\, \R\ and \E\ become the field,
// component, subcomponent, repetition and escape characters of the
// message, \P\ the truncation character, \Xhh..\ the bytes spelled in
// hexadecimal (UTF-8 is assumed), and \.br\ a line feed. The highlighting
// sequences \H\ and \N\ are dropped. Other sequences, such as the character
// set switches \Cxxyy\ and \Mxxyyzz\, the formatting commands other than
// .br, and an escape character without a closing one, are kept unchanged.
//
// NOTE: MSH-18 (character set) is not read. Bytes pass through unchanged,
// so a message in a legacy 8-bit character set yields values that are not
// valid UTF-8.
//
// # Null and empty
//
// HL7 v2 distinguishes "no information" (an empty value) from "delete the
// stored value" (the null value "", two double quotes). Get returns "" for
// both, and [Segment.IsNull], [Message.IsNull] and [Field.IsNull] report the
// null value.
//
// # Timestamps
//
// [ParseTime] reads the DTM, TS and DT types with their precision and UTC
// offset. [Time] writes them as FHIR date and dateTime values: a date keeps
// the precision the sender gave (year, month or day), and a time of day is
// written to the second with an offset, because FHIR requires both once a
// time is present.
package hl7
