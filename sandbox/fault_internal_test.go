package sandbox

import (
	"testing"
	"time"
)

func TestParseFaultHeader(t *testing.T) {
	f, key, times, err := parseFaultHeader("status=503; retry-after=2; times=3; key=run-1")
	if err != nil || f != (Fault{Status: 503, RetryAfter: 2 * time.Second}) || key != "run-1" || times != 3 {
		t.Errorf("got %+v %q %d %v", f, key, times, err)
	}
	if _, key, _, _ := parseFaultHeader("drop"); key == "" {
		t.Error("no default key")
	}
}

// FuzzParseFaultHeader checks that any header value parses to a valid
// fault or an error, never a panic.
func FuzzParseFaultHeader(f *testing.F) {
	for _, s := range []string{"status=503", "status=429; retry-after=2", "latency=250ms", "drop", "drop; times=2; key=k", ";;", "status=", "=", "latency=-1s", "retry-after=9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		fault, key, times, err := parseFaultHeader(v)
		if err != nil {
			return
		}
		if verr := fault.validate(); verr != nil {
			t.Fatalf("%q parsed to an invalid fault %+v: %v", v, fault, verr)
		}
		if key == "" || times < 0 || fault.Latency > maxFaultLatency {
			t.Fatalf("%q: key %q times %d latency %v", v, key, times, fault.Latency)
		}
	})
}
