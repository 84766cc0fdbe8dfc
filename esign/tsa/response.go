package tsa

import (
	"encoding/asn1"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PKIStatus is the status of a TimeStampResp (RFC 3161 §2.4.2).
type PKIStatus int

// The PKIStatus values.
const (
	StatusGranted                PKIStatus = 0
	StatusGrantedWithMods        PKIStatus = 1
	StatusRejection              PKIStatus = 2
	StatusWaiting                PKIStatus = 3
	StatusRevocationWarning      PKIStatus = 4
	StatusRevocationNotification PKIStatus = 5
)

// String returns the status name of RFC 3161, such as "rejection".
func (s PKIStatus) String() string {
	switch s {
	case StatusGranted:
		return "granted"
	case StatusGrantedWithMods:
		return "grantedWithMods"
	case StatusRejection:
		return "rejection"
	case StatusWaiting:
		return "waiting"
	case StatusRevocationWarning:
		return "revocationWarning"
	case StatusRevocationNotification:
		return "revocationNotification"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// FailureInfo is the PKIFailureInfo bit string of a rejection.
type FailureInfo uint32

// The PKIFailureInfo bits RFC 3161 uses.
const (
	FailBadAlg              FailureInfo = 1 << 0
	FailBadRequest          FailureInfo = 1 << 2
	FailBadDataFormat       FailureInfo = 1 << 5
	FailTimeNotAvailable    FailureInfo = 1 << 14
	FailUnacceptedPolicy    FailureInfo = 1 << 15
	FailUnacceptedExtension FailureInfo = 1 << 16
	FailAddInfoNotAvailable FailureInfo = 1 << 17
	FailSystemFailure       FailureInfo = 1 << 25
)

var failNames = []struct {
	bit  FailureInfo
	name string
}{
	{FailBadAlg, "badAlg"}, {FailBadRequest, "badRequest"}, {FailBadDataFormat, "badDataFormat"},
	{FailTimeNotAvailable, "timeNotAvailable"}, {FailUnacceptedPolicy, "unacceptedPolicy"},
	{FailUnacceptedExtension, "unacceptedExtension"}, {FailAddInfoNotAvailable, "addInfoNotAvailable"},
	{FailSystemFailure, "systemFailure"},
}

// String returns the names of the bits set, comma-separated, such as
// "badAlg,badRequest"; unknown bits are shown in hex.
func (f FailureInfo) String() string {
	var names []string
	for _, n := range failNames {
		if f&n.bit != 0 {
			names = append(names, n.name)
			f &^= n.bit
		}
	}
	if f != 0 {
		names = append(names, fmt.Sprintf("0x%x", uint32(f)))
	}
	return strings.Join(names, ",")
}

// Error is a TSA's refusal: a TimeStampResp whose status is neither
// granted nor grantedWithMods.
type Error struct {
	Status     PKIStatus
	FailInfo   FailureInfo // zero if the TSA gave none
	StatusText []string    // the TSA's statusString, if any
}

// Error reports the status, the failure bits and the TSA's text (shortened).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tsa: timestamp refused: ")
	b.WriteString(e.Status.String())
	if e.FailInfo != 0 {
		b.WriteString(" (" + e.FailInfo.String() + ")")
	}
	if len(e.StatusText) > 0 {
		t := strings.Join(e.StatusText, "; ")
		if len(t) > 200 {
			t = t[:200] + "..."
		}
		fmt.Fprintf(&b, ": %q", t)
	}
	return b.String()
}

// HTTPError is an HTTP answer from the TSA other than 200.
type HTTPError struct {
	StatusCode int
}

// Error reports the HTTP status code.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("tsa: timestamp authority answered HTTP %d", e.StatusCode)
}

// ParseResponse reads a DER TimeStampResp. A refusal is returned as *Error;
// a granted answer as its parsed token.
func ParseResponse(der []byte) (*Token, error) {
	if len(der) > MaxResponseSize {
		return nil, &ParseError{Msg: fmt.Sprintf("response larger than %d bytes", MaxResponseSize)}
	}
	in := cryptobyte.String(der)
	var resp, si cryptobyte.String
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !in.Empty() || !resp.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, &ParseError{Msg: "bad TimeStampResp"}
	}
	var status int64
	if !si.ReadASN1Integer(&status) || status < 0 || status > 5 {
		return nil, &ParseError{Msg: "bad PKIStatus"}
	}
	e := &Error{Status: PKIStatus(status)}
	if si.PeekASN1Tag(cbasn1.SEQUENCE) {
		var text cryptobyte.String
		si.ReadASN1(&text, cbasn1.SEQUENCE)
		for !text.Empty() {
			var s []byte
			if !text.ReadASN1Bytes(&s, cbasn1.UTF8String) {
				return nil, &ParseError{Msg: "bad statusString"}
			}
			if len(e.StatusText) < 8 {
				e.StatusText = append(e.StatusText, strings.ToValidUTF8(string(s), "?"))
			}
		}
	}
	if si.PeekASN1Tag(cbasn1.BIT_STRING) {
		var bs asn1.BitString
		if !si.ReadASN1BitString(&bs) {
			return nil, &ParseError{Msg: "bad failInfo"}
		}
		for i := 0; i < bs.BitLength && i < 32; i++ {
			if bs.At(i) == 1 {
				e.FailInfo |= 1 << i
			}
		}
	}
	if !si.Empty() {
		return nil, &ParseError{Msg: "bad PKIStatusInfo"}
	}
	if e.Status != StatusGranted && e.Status != StatusGrantedWithMods {
		return nil, e
	}
	var tok cryptobyte.String
	if !resp.ReadASN1Element(&tok, cbasn1.SEQUENCE) || !resp.Empty() {
		return nil, &ParseError{Msg: "granted response without a token"}
	}
	return Parse(tok)
}
