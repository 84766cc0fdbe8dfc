package schematron

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fellesgo/felles/internal/xmlsafe"
)

// SVRLNS is the namespace of the Schematron Validation Report Language, whose
// elements a compiled Schematron XSLT writes.
const SVRLNS = "http://purl.oclc.org/dsdl/svrl"

// skeletonGlobals are top-level parameters and variables the ISO Schematron
// skeleton adds to every compiled stylesheet; they are not part of the rules.
var skeletonGlobals = map[string]bool{
	"archiveDirParameter": true, "archiveNameParameter": true,
	"fileNameParameter": true, "fileDirParameter": true, "document-uri": true,
}

var patternMode = regexp.MustCompile(`^M[0-9]+$`)

// ParseXSLT reads a Schematron schema back from its XSLT 2.0 compilation by
// the ISO Schematron skeleton (iso_svrl_for_xslt2.xsl), the form in which
// the CEN EN 16931 and Peppol BIS Billing rules are published as release
// artefacts. The mapping is mechanical:
//
//   - the xsl:apply-templates mode="Mn" select="/" calls in the template for
//     "/" give the patterns in order, each with the @id of the
//     svrl:active-pattern written before it;
//   - a template in mode Mn that writes svrl:fired-rule is a rule: its @match
//     is the context; rules are ordered by descending @priority, so the
//     first rule that matches a node wins, as in XSLT;
//   - xsl:variable in a rule template is a rule-level let; top-level
//     xsl:variable and xsl:param (other than the skeleton's own) are
//     schema-level lets, in document order;
//   - xsl:choose/xsl:when[@test] with svrl:failed-assert in xsl:otherwise is
//     an assert, xsl:if[@test] with svrl:successful-report is a report; @id
//     and @flag come from their xsl:attribute children and the message from
//     svrl:text (text, xsl:text and xsl:value-of);
//   - top-level xsl:function elements are interpreted as in Parse.
func ParseXSLT(data []byte) (*Schema, error) {
	if err := xmlsafe.Check(data, xmlsafe.Limits{}); err != nil {
		return nil, err
	}
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	if root.name.Space != XSLNS || (root.name.Local != "stylesheet" && root.name.Local != "transform") {
		return nil, fmt.Errorf("%w: root element is {%s}%s, not xsl:stylesheet", ErrSchema, root.name.Space, root.name.Local)
	}
	s := &Schema{Namespaces: map[string]string{}}
	for p, u := range root.nsdecl {
		if p != "" {
			s.Namespaces[p] = u
		}
	}
	type ruleTmpl struct {
		prio float64
		seq  int
		rule *Rule
	}
	rulesByMode := map[string][]ruleTmpl{}
	var order []string // pattern modes in the order the root template applies them
	ids := map[string]string{}
	var funcs []*elem
	for i, c := range root.kids {
		if c.name.Space == SVRLNS && c.name.Local == "text" && s.Title == "" {
			s.Title = strings.TrimSpace(c.text())
			continue
		}
		if c.name.Space != XSLNS {
			continue
		}
		switch c.name.Local {
		case "function":
			funcs = append(funcs, c)
		case "variable", "param":
			if skeletonGlobals[c.attr("name")] {
				continue
			}
			if _, ok := c.attrs["select"]; !ok && len(c.kids) == 0 && strings.TrimSpace(c.text()) == "" {
				continue // an xsl:param with no default: nothing to bind
			}
			l, err := parseXSLVariable(c)
			if err != nil {
				return nil, err
			}
			s.Lets = append(s.Lets, l)
		case "template":
			mode := c.attr("mode")
			if c.attr("match") == "/" && mode == "" {
				var pendingID string
				for _, k := range c.kids {
					if k.name.Space == SVRLNS && k.name.Local == "schematron-output" {
						for _, kk := range k.kids {
							switch {
							case kk.name.Space == SVRLNS && kk.name.Local == "active-pattern":
								pendingID = xslAttr(kk, "id")
							case kk.name.Space == XSLNS && kk.name.Local == "apply-templates" && patternMode.MatchString(kk.attr("mode")):
								m := kk.attr("mode")
								order = append(order, m)
								ids[m] = pendingID
								pendingID = ""
							}
						}
					}
				}
				continue
			}
			if !patternMode.MatchString(mode) || !firesRule(c) {
				continue
			}
			prio, err := strconv.ParseFloat(strings.TrimSpace(c.attr("priority")), 64)
			if err != nil {
				return nil, fmt.Errorf("%w: rule template %q in mode %s: priority %q", ErrSchema, c.attr("match"), mode, c.attr("priority"))
			}
			r, err := parseRuleTemplate(c)
			if err != nil {
				return nil, fmt.Errorf("mode %s: %w", mode, err)
			}
			rulesByMode[mode] = append(rulesByMode[mode], ruleTmpl{prio: prio, seq: i, rule: r})
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: no pattern is applied by the template for \"/\" (not a skeleton-compiled Schematron?)", ErrSchema)
	}
	for _, m := range order {
		rs := rulesByMode[m]
		// Higher priority first; among equals, the later template wins in
		// XSLT (processors may also report an error), so it goes first.
		slices.SortStableFunc(rs, func(a, b ruleTmpl) int {
			if c := cmp.Compare(b.prio, a.prio); c != 0 {
				return c
			}
			return cmp.Compare(b.seq, a.seq)
		})
		p := &Pattern{ID: ids[m]}
		for _, r := range rs {
			p.Rules = append(p.Rules, r.rule)
		}
		s.Patterns = append(s.Patterns, p)
	}
	if err := s.addFunctions(funcs); err != nil {
		return nil, err
	}
	s.prepare()
	return s, nil
}

// firesRule reports whether a template writes svrl:fired-rule, which marks
// the skeleton's rule templates.
func firesRule(t *elem) bool {
	for _, k := range t.kids {
		if k.name.Space == SVRLNS && k.name.Local == "fired-rule" {
			return true
		}
	}
	return false
}

// xslAttr returns the text of the xsl:attribute child named name.
func xslAttr(e *elem, name string) string {
	for _, k := range e.kids {
		if k.name.Space == XSLNS && k.name.Local == "attribute" && k.attr("name") == name {
			return strings.TrimSpace(k.text())
		}
	}
	return ""
}

func parseXSLVariable(e *elem) (*Let, error) {
	l := &Let{Name: e.attr("name")}
	if v, ok := e.attrs["select"]; ok {
		l.Value = v
	} else {
		// Content is a temporary tree; its string value is the text. The
		// rules only use this form for literal strings.
		if len(e.kids) > 0 {
			return nil, fmt.Errorf("%w: xsl:variable $%s: element content is not supported", ErrSchema, l.Name)
		}
		l.Value = "'" + strings.ReplaceAll(e.text(), "'", "''") + "'"
	}
	return compileLet(l)
}

func parseRuleTemplate(t *elem) (*Rule, error) {
	r := &Rule{Context: t.attr("match")}
	m, err := compileMatch(r.Context)
	if err != nil {
		return nil, err
	}
	r.match = m
	for _, c := range t.kids {
		if c.name.Space != XSLNS {
			continue
		}
		switch c.name.Local {
		case "variable":
			l, err := parseXSLVariable(c)
			if err != nil {
				return nil, fmt.Errorf("rule %q: %w", r.Context, err)
			}
			r.Lets = append(r.Lets, l)
		case "choose":
			// <xsl:choose><xsl:when test="T"/><xsl:otherwise><svrl:failed-assert>…
			var test string
			var report *elem
			for _, k := range c.kids {
				switch {
				case k.name.Space == XSLNS && k.name.Local == "when":
					test = k.attr("test")
				case k.name.Space == XSLNS && k.name.Local == "otherwise":
					for _, kk := range k.kids {
						if kk.name.Space == SVRLNS && kk.name.Local == "failed-assert" {
							report = kk
						}
					}
				}
			}
			if report == nil {
				return nil, fmt.Errorf("%w: rule %q: xsl:choose without svrl:failed-assert", ErrSchema, r.Context)
			}
			a, err := assertFromSVRL(report, test, false)
			if err != nil {
				return nil, fmt.Errorf("rule %q: %w", r.Context, err)
			}
			r.Asserts = append(r.Asserts, a)
		case "if":
			var report *elem
			for _, k := range c.kids {
				if k.name.Space == SVRLNS && k.name.Local == "successful-report" {
					report = k
				}
			}
			if report == nil {
				return nil, fmt.Errorf("%w: rule %q: xsl:if without svrl:successful-report", ErrSchema, r.Context)
			}
			a, err := assertFromSVRL(report, c.attr("test"), true)
			if err != nil {
				return nil, fmt.Errorf("rule %q: %w", r.Context, err)
			}
			r.Asserts = append(r.Asserts, a)
		case "apply-templates":
		default:
			return nil, fmt.Errorf("%w: rule %q: unexpected xsl:%s", ErrSchema, r.Context, c.name.Local)
		}
	}
	return r, nil
}

func assertFromSVRL(e *elem, test string, report bool) (*Assert, error) {
	a := &Assert{ID: xslAttr(e, "id"), Flag: xslAttr(e, "flag"), Test: test, Report: report}
	if err := a.compile(); err != nil {
		return nil, err
	}
	for _, k := range e.kids {
		if k.name.Space != SVRLNS || k.name.Local != "text" {
			continue
		}
		for _, n := range k.content {
			switch n := n.(type) {
			case string:
				a.msg = append(a.msg, msgPart{text: n})
			case *elem:
				switch {
				case n.name.Space == XSLNS && n.name.Local == "value-of":
					x, err := parseExpr(n.attr("select"))
					if err != nil {
						return nil, fmt.Errorf("%w: assert %q message: %v", ErrSchema, a.ID, err)
					}
					a.msg = append(a.msg, msgPart{expr: x})
				default: // xsl:text and anything else: its text
					a.msg = append(a.msg, msgPart{text: n.text()})
				}
			}
		}
	}
	return a, nil
}
