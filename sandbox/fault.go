package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultHeader is the request header with which a client asks the sandbox
// for a fault; see the package documentation for its syntax.
const FaultHeader = "Felles-Sandbox-Fault"

// Limits of faults asked for with [FaultHeader].
const (
	maxFaultHeader     = 256                 // bytes of the header value
	maxFaultLatency    = time.Minute         // latency=
	maxFaultRetryAfter = 24 * time.Hour      // retry-after=
	maxFaultKeys       = 10000               // keys counted before the counts are reset
	maxFaultKey        = 64                  // bytes of key=
	faultKeyDefault    = "\x00whole-header:" // prefix of the key when none is given
)

// Fault is a failure the sandbox imitates: an error status, a slow answer,
// or a connection dropped without an answer. Install it with [WithFault] or
// [Sandbox.InjectFault]; a client can also ask for one per request with
// [FaultHeader].
type Fault struct {
	// PathPrefix limits the fault to requests whose path starts with it,
	// such as "/maskinporten/token"; "" matches every request.
	PathPrefix string
	// Status, when not zero, is the HTTP status (400–599) answered instead
	// of the real response, with a JSON body {"error":"sandbox_fault",...}.
	Status int
	// RetryAfter, when positive, adds a Retry-After header to the Status
	// answer, as a 429 or 503 would carry, in RetryAfterUnit (rounded up).
	RetryAfter time.Duration
	// RetryAfterUnit is the unit the Retry-After value is written in:
	// time.Second, as HTTP defines it, or time.Millisecond, which
	// Skatteetaten documents for Folkeregisteret. Zero means the service's
	// own: milliseconds below /folkeregister/, seconds elsewhere.
	RetryAfterUnit time.Duration
	// Latency delays the answer (the fault's or the real one). The delay
	// ends early when the request's context ends.
	Latency time.Duration
	// Drop closes the connection without any answer, after Latency.
	Drop bool
	// Times is how many matching requests get the fault; 0 means all.
	Times int
}

// validate reports a Fault that cannot be applied.
func (f Fault) validate() error {
	switch {
	case f.PathPrefix != "" && !strings.HasPrefix(f.PathPrefix, "/"):
		return fmt.Errorf("sandbox: fault path prefix %q does not start with /", f.PathPrefix)
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("sandbox: fault status %d is not in 400–599", f.Status)
	case f.RetryAfter < 0 || f.Latency < 0 || f.Times < 0:
		return errors.New("sandbox: fault RetryAfter, Latency and Times must not be negative")
	case f.RetryAfter > 0 && f.Status == 0:
		return errors.New("sandbox: fault RetryAfter needs a Status")
	case f.RetryAfterUnit != 0 && f.RetryAfterUnit != time.Second && f.RetryAfterUnit != time.Millisecond:
		return fmt.Errorf("sandbox: fault RetryAfterUnit %v is neither time.Second nor time.Millisecond", f.RetryAfterUnit)
	case f.Drop && f.Status != 0:
		return errors.New("sandbox: a fault either drops the connection or answers with a Status, not both")
	case !f.Drop && f.Status == 0 && f.Latency == 0:
		return errors.New("sandbox: the fault does nothing; set Status, Latency or Drop")
	}
	return nil
}

// faultSet holds the installed faults and the counts of header faults.
type faultSet struct {
	mu     sync.Mutex
	rules  []*faultRule
	nextID uint64
	keyed  map[string]int // header-fault key → requests faulted so far
}

type faultRule struct {
	id   uint64
	f    Fault
	left int // requests still to fault; < 0 means no limit
}

// add installs f, which must be valid, and returns a function removing it.
func (fs *faultSet) add(f Fault) (remove func()) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextID++
	rule := &faultRule{id: fs.nextID, f: f, left: -1}
	if f.Times > 0 {
		rule.left = f.Times
	}
	fs.rules = append(fs.rules, rule)
	return func() { fs.remove(rule.id) }
}

func (fs *faultSet) remove(id uint64) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if r.id == id {
			fs.rules = append(fs.rules[:i:i], fs.rules[i+1:]...)
			return
		}
	}
}

// take returns the first installed fault matching path and counts it.
func (fs *faultSet) take(path string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if !strings.HasPrefix(path, r.f.PathPrefix) {
			continue
		}
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				fs.rules = append(fs.rules[:i:i], fs.rules[i+1:]...)
			}
		}
		return r.f, true
	}
	return Fault{}, false
}

// takeKeyed reports whether a header fault with key and times (0: always)
// applies to this request, and counts it.
func (fs *faultSet) takeKeyed(key string, times int) bool {
	if times == 0 {
		return true
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.keyed == nil || len(fs.keyed) >= maxFaultKeys {
		fs.keyed = map[string]int{}
	}
	if fs.keyed[key] >= times {
		return false
	}
	fs.keyed[key]++
	return true
}

// parseFaultHeader parses a FaultHeader value. It returns the fault, the
// key its count is kept under, and how many requests get it (0: all).
func parseFaultHeader(v string) (f Fault, key string, times int, err error) {
	if len(v) > maxFaultHeader {
		return f, "", 0, fmt.Errorf("the value exceeds %d bytes", maxFaultHeader)
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, hasVal := strings.Cut(part, "=")
		name, val = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(val)
		if seen[name] {
			return f, "", 0, fmt.Errorf("%q is given twice", name)
		}
		seen[name] = true
		if name != "drop" && (!hasVal || val == "") {
			return f, "", 0, fmt.Errorf("%q needs a value (%s=...)", name, name)
		}
		switch name {
		case "status":
			if f.Status, err = strconv.Atoi(val); err != nil {
				return f, "", 0, fmt.Errorf("status %q is not a number", val)
			}
		case "retry-after":
			if seen["retry-after-ms"] {
				return f, "", 0, errors.New("give retry-after or retry-after-ms, not both")
			}
			if f.RetryAfter, err = parseSecondsOrDuration(val); err != nil {
				return f, "", 0, fmt.Errorf("retry-after %q is neither whole seconds nor a duration such as 1500ms, up to %s", val, maxFaultRetryAfter)
			}
		case "retry-after-ms":
			if seen["retry-after"] {
				return f, "", 0, errors.New("give retry-after or retry-after-ms, not both")
			}
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > int(maxFaultRetryAfter/time.Millisecond) {
				return f, "", 0, fmt.Errorf("retry-after-ms %q is not whole milliseconds up to %d", val, maxFaultRetryAfter/time.Millisecond)
			}
			f.RetryAfter = time.Duration(n) * time.Millisecond
			if !seen["retry-after-unit"] {
				f.RetryAfterUnit = time.Millisecond
			}
		case "retry-after-unit":
			switch val {
			case "s":
				f.RetryAfterUnit = time.Second
			case "ms":
				f.RetryAfterUnit = time.Millisecond
			default:
				return f, "", 0, fmt.Errorf("retry-after-unit %q is neither s nor ms", truncate(val, 10))
			}
		case "latency":
			if f.Latency, err = time.ParseDuration(val); err != nil {
				return f, "", 0, fmt.Errorf("latency %q is not a duration such as 250ms or 2s", val)
			}
			if f.Latency > maxFaultLatency {
				return f, "", 0, fmt.Errorf("latency %s exceeds %s", f.Latency, maxFaultLatency)
			}
		case "drop":
			if hasVal {
				return f, "", 0, errors.New("drop takes no value")
			}
			f.Drop = true
		case "times":
			if times, err = strconv.Atoi(val); err != nil || times < 1 {
				return f, "", 0, fmt.Errorf("times %q is not a positive whole number", val)
			}
		case "key":
			if len(val) > maxFaultKey {
				return f, "", 0, fmt.Errorf("key exceeds %d bytes", maxFaultKey)
			}
			key = val
		default:
			return f, "", 0, fmt.Errorf("unknown directive %q", truncate(name, 30))
		}
	}
	if err := f.validate(); err != nil {
		return f, "", 0, errors.New(strings.TrimPrefix(err.Error(), "sandbox: "))
	}
	if key == "" {
		key = faultKeyDefault + v
	}
	return f, key, times, nil
}

// parseSecondsOrDuration parses whole seconds or a Go duration, from 0 to
// maxFaultRetryAfter.
func parseSecondsOrDuration(s string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > int(maxFaultRetryAfter/time.Second) {
			return 0, errors.New("out of range")
		}
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, errors.New("not a duration")
	}
	if d < 0 || d > maxFaultRetryAfter {
		return 0, errors.New("out of range")
	}
	return d, nil
}

// injectFaults applies the fault asked for by the request's FaultHeader,
// or else the first installed fault matching its path.
func (s *Sandbox) injectFaults(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		var ok bool
		if v := r.Header.Get(FaultHeader); v != "" {
			hf, key, times, err := parseFaultHeader(v)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{
					"error":             "invalid_fault",
					"error_description": FaultHeader + ": " + err.Error() + `; the syntax is e.g. "status=503", "status=429; retry-after=2", "status=429; retry-after-ms=1500", "latency=250ms", "drop", with optional "times=N; key=K"`,
				})
				return
			}
			f, ok = hf, s.faults.takeKeyed(key, times)
		}
		if !ok {
			f, ok = s.faults.take(r.URL.Path)
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		s.log.DebugContext(r.Context(), "sandbox: injecting a fault", "path", r.URL.Path,
			"status", f.Status, "latency", f.Latency, "drop", f.Drop)
		if f.Latency > 0 {
			t := time.NewTimer(f.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.Drop:
			drop(w)
		case f.Status != 0:
			svc := s.serviceAt(r.URL.Path)
			if f.RetryAfter > 0 {
				unit := f.RetryAfterUnit
				if unit == 0 {
					unit = time.Second
					if svc != nil && svc.retryAfterUnit != 0 {
						unit = svc.retryAfterUnit
					}
				}
				n := (f.RetryAfter + unit - 1) / unit
				w.Header().Set("Retry-After", strconv.FormatInt(int64(n), 10))
			}
			if svc != nil && svc.faultBody != nil {
				writeJSON(w, f.Status, svc.faultBody(f.Status, strings.TrimPrefix(r.URL.Path, svc.prefix)))
				return
			}
			writeJSON(w, f.Status, map[string]string{
				"error":             "sandbox_fault",
				"error_description": fmt.Sprintf("Fault injected by the felles sandbox: HTTP %d %s", f.Status, http.StatusText(f.Status)),
			})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// drop closes the connection without writing a response.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
		return
	}
	// Not hijackable (HTTP/2): abort the stream instead.
	panic(http.ErrAbortHandler)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
