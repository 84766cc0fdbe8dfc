package einvoice

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/fellesgo/felles/internal/schematron"
	"github.com/fellesgo/felles/internal/xmlsafe"
	"github.com/fellesgo/felles/internal/xpath"
)

//go:generate go run ./internal/rulegen/cmd/rulegen -conformance ../../shared/conformance -out rules

// rulesFS holds the rule sets derived from the official artefacts by
// internal/rulegen: rules/<version>/cen.sch and peppol.sch.
//
//go:embed rules
var rulesFS embed.FS

// DefaultRules is the rule set used when none is chosen: the newest shipped
// Peppol BIS Billing 3.0 release.
const DefaultRules = "3.0.21"

// ruleVersions are the shipped Peppol BIS Billing 3.0 releases, oldest first,
// with the CEN EN 16931 release each one carries.
var ruleVersions = []struct{ peppol, cen string }{
	{"3.0.19", "1.3.14.1"},
	{"3.0.20", "1.3.15"},
	{"3.0.21", "1.3.16"},
}

// RuleVersions returns the selectable rule sets (Peppol BIS Billing 3.0
// release numbers), oldest first. The last one is [DefaultRules].
func RuleVersions() []string {
	out := make([]string, len(ruleVersions))
	for i, v := range ruleVersions {
		out[i] = v.peppol
	}
	return out
}

// CENVersion returns the CEN EN 16931 rule release a Peppol rule set
// carries, e.g. "1.3.16" for "3.0.21", and false for an unknown version.
func CENVersion(rules string) (string, bool) {
	for _, v := range ruleVersions {
		if v.peppol == rules {
			return v.cen, true
		}
	}
	return "", false
}

// ErrUnknownRules is returned (wrapped) by [WithRules] for a version that is
// not shipped.
var ErrUnknownRules = errors.New("einvoice: unknown rule set")

// ruleSet is a loaded rule set: the CEN layer, then the Peppol layer, run one
// after the other as the reference validators do.
type ruleSet struct {
	version string
	layers  []*schematron.Schema
}

var (
	loadMu sync.Mutex
	loaded = map[string]*ruleSet{}
)

// loadRules parses an embedded rule set once per process.
func loadRules(version string) (*ruleSet, error) {
	if _, ok := CENVersion(version); !ok {
		return nil, fmt.Errorf("%w %q (have %s)", ErrUnknownRules, version, strings.Join(RuleVersions(), ", "))
	}
	loadMu.Lock()
	defer loadMu.Unlock()
	if rs := loaded[version]; rs != nil {
		return rs, nil
	}
	rs := &ruleSet{version: version}
	for _, layer := range []string{"cen", "peppol"} {
		data, err := rulesFS.ReadFile("rules/" + version + "/" + layer + ".sch")
		if err != nil {
			return nil, fmt.Errorf("einvoice: rule set %s: %w", version, err)
		}
		s, err := schematron.Parse(data)
		if err != nil {
			// The embedded rules are checked when generated; this is a
			// build defect, not a user error.
			return nil, fmt.Errorf("einvoice: rule set %s, %s layer: %w", version, layer, err)
		}
		rs.layers = append(rs.layers, s)
	}
	loaded[version] = rs
	return rs, nil
}

// A Validator checks UBL invoices and credit notes against the CEN EN 16931
// and Peppol BIS Billing 3.0 rules (national rules for NO, DK, SE, DE, GR,
// NL, IT and IS included, as the Peppol layer carries them). EHF Billing 3.0
// is Peppol BIS Billing 3.0 with no extra rules.
//
// The rules are the official Schematron rules, derived mechanically from the
// published artefacts and interpreted natively; no Java is involved. They
// are evaluated on whatever XML is given, so a fragment gets the verdicts the
// official rules give it. A Validator is safe for concurrent use.
//
// The verdicts are those of the reference validators, which run the
// official XSLT in Saxon-HE, also where Saxon departs from the letter of
// XPath: decimal division is Saxon's, a value "NaN" compared with a number
// is greater than it (so a VAT rate of "NaN" passes BR-S-05's "greater than
// zero"), and a comparison stops at the first values that compare true, so
// a value after them that cannot be read (a rate of "NaN" cast to a
// decimal) does not leave the rule unevaluated (see [Report]).
type Validator struct {
	rules       *ruleSet
	limits      xmlsafe.Limits
	concurrency int
}

// A ValidatorOption configures a [Validator].
type ValidatorOption func(*validatorConfig) error

type validatorConfig struct {
	rules       string
	limits      xmlsafe.Limits
	concurrency int
}

// WithRules selects the rule set by Peppol BIS Billing 3.0 release ("3.0.19",
// "3.0.20" or "3.0.21"; see [RuleVersions]). The default is [DefaultRules].
func WithRules(version string) ValidatorOption {
	return func(c *validatorConfig) error {
		if _, ok := CENVersion(version); !ok {
			return fmt.Errorf("%w %q (have %s)", ErrUnknownRules, version, strings.Join(RuleVersions(), ", "))
		}
		c.rules = version
		return nil
	}
}

// WithMaxBytes sets the largest document accepted, in bytes (default 20 MiB).
func WithMaxBytes(n int64) ValidatorOption {
	return func(c *validatorConfig) error {
		if n <= 0 {
			return fmt.Errorf("einvoice: WithMaxBytes(%d): must be positive", n)
		}
		c.limits.MaxBytes = n
		return nil
	}
}

// WithMaxDepth sets the deepest element nesting accepted (default 256).
func WithMaxDepth(n int) ValidatorOption {
	return func(c *validatorConfig) error {
		if n <= 0 {
			return fmt.Errorf("einvoice: WithMaxDepth(%d): must be positive", n)
		}
		c.limits.MaxDepth = n
		return nil
	}
}

// WithConcurrency sets how many goroutines one validation may use. With 2
// or more, a large document (some thousands of nodes, about 100 KB; for a
// smaller one, handing work to another goroutine costs more than it saves)
// is validated by two: the rules' patterns are independent, and each
// goroutine takes about half of the work. More are not used at present.
// The default is 2 when GOMAXPROCS is more than 1, else 1. It changes how
// long one validation takes, not the CPU time it uses: a server that
// validates many documents at once may prefer 1.
func WithConcurrency(n int) ValidatorOption {
	return func(c *validatorConfig) error {
		if n <= 0 {
			return fmt.Errorf("einvoice: WithConcurrency(%d): must be positive", n)
		}
		c.concurrency = n
		return nil
	}
}

// parallelNodes is the size of the smallest document (in nodes: elements,
// attributes and text) whose layers run side by side (see WithConcurrency).
// On a 2-core machine the two ways take the same time at about 50 invoice
// lines (4,000 nodes); at 100 lines (7,700 nodes) side by side is 20%
// faster, at 1000 lines 30%.
const parallelNodes = 6000

// NewValidator returns a Validator. Loading a rule set takes some tens of
// milliseconds the first time in a process; later Validators share it.
func NewValidator(opts ...ValidatorOption) (*Validator, error) {
	c := validatorConfig{rules: DefaultRules, concurrency: min(2, runtime.GOMAXPROCS(0))}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	rs, err := loadRules(c.rules)
	if err != nil {
		return nil, err
	}
	return &Validator{rules: rs, limits: c.limits, concurrency: c.concurrency}, nil
}

// Rules returns the Peppol BIS Billing 3.0 release whose rules v applies.
func (v *Validator) Rules() string { return v.rules.version }

var (
	defaultOnce      sync.Once
	defaultValidator *Validator
	defaultErr       error
)

// Validate checks data with the default rule set; see [Validator.Validate].
func Validate(data []byte) (*Report, error) {
	defaultOnce.Do(func() { defaultValidator, defaultErr = NewValidator() })
	if defaultErr != nil {
		return nil, defaultErr
	}
	return defaultValidator.Validate(data)
}

// Validate checks one UBL document. The error is non-nil only when data is
// not acceptable XML (*[XMLError]: not well-formed, a DOCTYPE, over the size
// or depth limit); rule violations are in the [Report]. See also
// [Validator.ValidateContext].
func (v *Validator) Validate(data []byte) (*Report, error) {
	return v.ValidateContext(context.Background(), data)
}

// ValidateContext is Validate that gives up when ctx is done, returning
// ctx.Err(). The rules do work that grows faster than the document for some
// shapes (every VAT breakdown row looks at every line), so a service that
// validates documents from outside should set a deadline.
func (v *Validator) ValidateContext(ctx context.Context, data []byte) (*Report, error) {
	b := builders.Get().(*xpath.Builder)
	defer func() {
		// The report holds strings only: the tree's storage can go to
		// the next document.
		b.Recycle()
		builders.Put(b)
	}()
	doc, err := v.parseWith(b, data)
	if err != nil {
		return nil, err
	}
	return v.run(ctx, doc, nil)
}

// builders keeps tree builders, with the storage of their last tree, for
// the next documents.
var builders = sync.Pool{New: func() any { return xpath.NewBuilder() }}

// parse checks data and builds its tree in one pass.
func (v *Validator) parse(data []byte) (*xpath.Document, error) {
	return v.parseWith(xpath.NewBuilder(), data)
}

// parseWith is parse with the builder b, which must be new or recycled.
func (v *Validator) parseWith(b *xpath.Builder, data []byte) (*xpath.Document, error) {
	b.Hint(data)
	if err := xmlsafe.WalkHandler(data, v.limits, b); err != nil {
		var xe *xmlsafe.Error
		if errors.As(err, &xe) {
			return nil, newXMLError(err)
		}
		return nil, &XMLError{Reason: "not well-formed", Detail: err.Error(), err: ErrMalformed}
	}
	doc, err := b.Document()
	if err != nil {
		return nil, &XMLError{Reason: "not well-formed", Detail: err.Error(), err: ErrMalformed}
	}
	return doc, nil
}

// validateLayers validates with only the given layers (0 CEN, 1 Peppol; all
// when nil), for the conformance tests.
func (v *Validator) validateLayers(data []byte, layers []int) (*Report, error) {
	doc, err := v.parse(data)
	if err != nil {
		return nil, err
	}
	return v.run(context.Background(), doc, layers)
}

func (v *Validator) run(ctx context.Context, doc *xpath.Document, layers []int) (*Report, error) {
	// The layers' patterns in runs, each on its own; the tree is only read.
	// On a large document, with concurrency, each layer is split in two
	// runs, its first pattern and the others: another goroutine takes the
	// first patterns (CEN's UBL-model, which does the most work, and
	// Peppol's check for empty elements, which tries every element), this
	// one the others. On 1000 invoice lines the two halves take about the
	// same time. Failures come out in the order of one run of all.
	type run struct {
		layer    *schematron.Schema
		from, to int
		side     bool // for the other goroutine
		fs       []schematron.Failure
		err      error
	}
	parallel := v.concurrency > 1 && doc.Root.Last >= parallelNodes
	var runs []*run
	for i, layer := range v.rules.layers {
		if layers != nil && !slices.Contains(layers, i) {
			continue
		}
		n := len(layer.Patterns)
		if parallel && n > 1 {
			runs = append(runs, &run{layer: layer, from: 0, to: 1, side: true}, &run{layer: layer, from: 1, to: n})
			continue
		}
		runs = append(runs, &run{layer: layer, from: 0, to: n})
	}
	do := func(side bool) {
		for _, r := range runs {
			if r.side == side {
				r.fs, r.err = r.layer.ValidatePatterns(ctx, doc, r.from, r.to)
			}
		}
	}
	var wg sync.WaitGroup
	var sidePanic any // raised again on this goroutine
	if parallel {
		wg.Go(func() {
			defer func() { sidePanic = recover() }()
			do(true)
		})
		// Also if this goroutine panics: the tree is recycled when run
		// returns, and the other goroutine must be done reading it.
		defer wg.Wait()
	}
	do(false)
	wg.Wait()
	if sidePanic != nil {
		panic(sidePanic)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("einvoice: validation stopped: %w", ctxErr)
	}
	rep := &Report{Rules: v.rules.version}
	for _, r := range runs {
		fs, err := r.fs, r.err
		for _, f := range fs {
			rep.Failures = append(rep.Failures, Failure{Rule: f.RuleID, Flag: normFlag(f.Flag), Location: f.Location, Message: f.Message})
		}
		for _, e := range ruleErrors(err) {
			if e.recovered {
				rep.Skipped = append(rep.Skipped, e)
			} else {
				rep.Unevaluated = append(rep.Unevaluated, e)
			}
		}
	}
	return rep, nil
}

// ValidateReader reads one document from r (no more than the size limit) and
// validates it, giving up when ctx is done (see [Validator.ValidateContext]).
func (v *Validator) ValidateReader(ctx context.Context, r io.Reader) (*Report, error) {
	data, err := xmlsafe.Reader(r, v.limits)
	if err != nil {
		var xe *xmlsafe.Error
		if errors.As(err, &xe) {
			return nil, newXMLError(err)
		}
		return nil, fmt.Errorf("einvoice: reading the document: %w", err)
	}
	return v.ValidateContext(ctx, data)
}

// normFlag maps the Schematron flag to "fatal" or "warning"; an assert
// without a flag counts as fatal, as in the reference validators.
func normFlag(f string) string {
	switch f {
	case FlagWarning:
		return FlagWarning
	default:
		return FlagFatal
	}
}

func ruleErrors(err error) []RuleError {
	if err == nil {
		return nil
	}
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []RuleError
	for _, e := range list {
		var ee *schematron.EvalError
		if errors.As(e, &ee) {
			out = append(out, RuleError{Rules: slices.Clone(ee.RuleIDs), Context: ee.Context, Location: ee.Location, Err: ee.Err.Error(), recovered: ee.Recovered})
			continue
		}
		out = append(out, RuleError{Err: e.Error()})
	}
	return out
}

// Flags of a [Failure].
const (
	FlagFatal   = "fatal"
	FlagWarning = "warning"
)

// Report is the outcome of validating one document.
type Report struct {
	// Rules is the rule set applied (Peppol BIS Billing 3.0 release).
	Rules string `json:"rules"`
	// Failures lists every time a rule fired, CEN layer first, then the
	// Peppol layer, each in rule order and then document order, as the
	// official rules report them.
	Failures []Failure `json:"failures"`
	// Unevaluated lists rules that could not be evaluated on this document
	// because their XPath raised a dynamic error (for example xs:decimal of
	// a non-number). The official XSLT would abort the whole validation on
	// such a document; felles goes on with the other rules and says which
	// were skipped. A report with Unevaluated rules is not Valid.
	Unevaluated []RuleError `json:"unevaluated,omitempty"`
	// Skipped lists rule contexts whose evaluation raised a dynamic error
	// on this document (for example a number expected where the document
	// has text). As XSLT processors do when matching a template, the rule
	// was treated as not applying there; the official validators only
	// print a warning. The report is still complete and Valid decides.
	Skipped []RuleError `json:"skipped,omitempty"`
}

// Valid reports whether no fatal rule fired and every rule was evaluated.
// Warnings do not make a document invalid.
func (r *Report) Valid() bool {
	if len(r.Unevaluated) > 0 {
		return false
	}
	for _, f := range r.Failures {
		if f.Flag == FlagFatal {
			return false
		}
	}
	return true
}

// Fatal returns the fatal failures.
func (r *Report) Fatal() []Failure { return r.withFlag(FlagFatal) }

// Warnings returns the warnings.
func (r *Report) Warnings() []Failure { return r.withFlag(FlagWarning) }

func (r *Report) withFlag(flag string) []Failure {
	var out []Failure
	for _, f := range r.Failures {
		if f.Flag == flag {
			out = append(out, f)
		}
	}
	return out
}

// Failure is one firing of a rule.
type Failure struct {
	// Rule is the rule id, e.g. "BR-CO-15" or "PEPPOL-EN16931-R051".
	Rule string `json:"rule"`
	// Flag is FlagFatal or FlagWarning.
	Flag string `json:"flag"`
	// Location is an XPath of the node the rule fired on, with the prefixes
	// of the document, e.g. /Invoice[1]/cac:InvoiceLine[2]/cbc:LineExtensionAmount[1].
	Location string `json:"location"`
	// Message is the official message text.
	Message string `json:"message"`
}

func (f Failure) String() string {
	return fmt.Sprintf("%s (%s) at %s: %s", f.Rule, f.Flag, f.Location, f.Message)
}

// RuleError names rules that could not be evaluated on a document (in
// [Report.Unevaluated]) or a rule context taken as not matching (in
// [Report.Skipped]). It is a value in a report, not a Go error.
type RuleError struct {
	// Rules are the ids of the rules concerned, when known.
	Rules []string `json:"rules,omitempty"`
	// Context is the rule context (an XPath match pattern), when known.
	Context string `json:"context,omitempty"`
	// Location is the XPath of the node being checked, when known.
	Location string `json:"location,omitempty"`
	// Err is the XPath dynamic error, e.g. "xpath: FORG0001: ...".
	Err string `json:"error"`

	recovered bool
}

func (e RuleError) String() string {
	return fmt.Sprintf("rules %s (context %s) at %s not evaluated: %s", strings.Join(e.Rules, ","), e.Context, e.Location, e.Err)
}
