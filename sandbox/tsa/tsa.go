package tsa

import (
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/fellesgo/felles/identity"
	"github.com/fellesgo/felles/internal/cms"
)

// DefaultPolicy is the TSA policy OID the sandbox puts in its tokens
// (an arc below 2.999, the OID tree's example arc).
const DefaultPolicy = "2.999.3161.1"

// MaxRequestSize is the largest request body the handler reads.
const MaxRequestSize = 16 << 10

// PKIFailureInfo bits (RFC 3161 §2.4.2).
const (
	failBadAlg              = 0
	failBadRequest          = 2
	failBadDataFormat       = 5
	failUnacceptedPolicy    = 15
	failUnacceptedExtension = 16
	failSystemFailure       = 25
)

// Handler is the timestamp authority. It is safe for concurrent use.
type Handler struct {
	cert     *identity.Certificate
	now      func() time.Time
	policy   asn1.ObjectIdentifier
	accuracy time.Duration
	log      *slog.Logger

	mu     sync.Mutex
	serial *big.Int
}

// Option configures a Handler.
type Option func(*Handler) error

// WithClock sets the clock genTime is read from (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(h *Handler) error {
		if now == nil {
			return errors.New("tsa: nil clock")
		}
		h.now = now
		return nil
	}
}

// WithPolicy sets the policy OID (dotted) the TSA issues tokens under;
// requests asking for another policy are rejected (unacceptedPolicy).
func WithPolicy(oid string) Option {
	return func(h *Handler) error {
		p, err := parseOID(oid)
		if err != nil {
			return err
		}
		h.policy = p
		return nil
	}
}

// WithAccuracy sets the accuracy written in tokens (default one second;
// zero leaves it out).
func WithAccuracy(d time.Duration) Option {
	return func(h *Handler) error {
		if d < 0 {
			return errors.New("tsa: negative accuracy")
		}
		h.accuracy = d
		return nil
	}
}

// WithLogger sets a logger for rejected requests (nil logs nothing).
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) error {
		if l != nil {
			h.log = l
		}
		return nil
	}
}

// New returns a TSA signing with cert (cert.Chain leaf first; the leaf
// should carry a critical id-kp-timeStamping EKU, as
// testpki.CA.IssueTSA makes).
func New(cert *identity.Certificate, opts ...Option) (*Handler, error) {
	if cert == nil || cert.Signer == nil || len(cert.Chain) == 0 {
		return nil, errors.New("tsa: certificate with key and chain required")
	}
	p, _ := parseOID(DefaultPolicy)
	h := &Handler{cert: cert, now: time.Now, policy: p, accuracy: time.Second, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(h); err != nil {
			return nil, err
		}
	}
	// Serial numbers: a random 64-bit start, then counting up, so they are
	// unique within a run and very unlikely to repeat across runs.
	start, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	h.serial = start.Lsh(start, 32)
	return h, nil
}

// Certificate returns the TSA's certificate and chain.
func (h *Handler) Certificate() *identity.Certificate { return h.cert }

func (h *Handler) nextSerial() *big.Int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.serial.Add(h.serial, big.NewInt(1))
	return new(big.Int).Set(h.serial)
}

// ServeHTTP answers one timestamp request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed: POST an application/timestamp-query", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/timestamp-query" {
		http.Error(w, "unsupported media type: want application/timestamp-query", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading request failed", http.StatusBadRequest)
		return
	}
	resp := h.Respond(body)
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	w.Write(resp)
}

// Respond returns the DER TimeStampResp for a DER TimeStampReq: a token,
// or a rejection saying why.
func (h *Handler) Respond(req []byte) []byte {
	q, fail, why := parseRequest(req)
	if fail < 0 && q.policy != nil && !q.policy.Equal(h.policy) {
		fail, why = failUnacceptedPolicy, "policy "+q.policy.String()+" is not offered"
	}
	if fail >= 0 {
		h.log.Debug("tsa: request rejected", "reason", why)
		return rejection(fail, why)
	}
	tst, err := h.tstInfo(q)
	if err == nil {
		var tok []byte
		tok, err = cms.SignEncapsulated(cms.OIDTSTInfo, tst, h.cert.Signer, h.cert.Chain,
			cms.SignOptions{OmitCertificates: !q.certReq})
		if err == nil {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(0) })
				b.AddBytes(tok)
			})
			var out []byte
			if out, err = b.Bytes(); err == nil {
				return out
			}
		}
	}
	h.log.Warn("tsa: signing failed", "error", err)
	return rejection(failSystemFailure, "the sandbox TSA could not sign")
}

// tstInfo encodes the TSTInfo for q.
func (h *Handler) tstInfo(q *request) ([]byte, error) {
	genTime := h.now().UTC().Truncate(time.Second)
	leaf := h.cert.Chain[0]
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(h.policy)
		b.AddBytes(q.imprint)
		b.AddASN1BigInt(h.nextSerial())
		b.AddASN1GeneralizedTime(genTime)
		if h.accuracy > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				sec := int64(h.accuracy / time.Second)
				ms := int64(h.accuracy%time.Second) / int64(time.Millisecond)
				us := int64(h.accuracy%time.Millisecond) / int64(time.Microsecond)
				if sec > 0 {
					b.AddASN1Int64(sec)
				}
				if ms > 0 {
					b.AddASN1Int64WithTag(ms, cbasn1.Tag(0).ContextSpecific())
				}
				if us > 0 {
					b.AddASN1Int64WithTag(us, cbasn1.Tag(1).ContextSpecific())
				}
			})
		}
		if q.nonce != nil {
			b.AddASN1BigInt(q.nonce)
		}
		// tsa [0] GeneralName: directoryName [4] of the TSA's subject.
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(leaf.RawSubject)
			})
		})
	})
	return b.Bytes()
}

type request struct {
	imprint []byte // the MessageImprint element, copied into the TSTInfo
	hash    crypto.Hash
	policy  asn1.ObjectIdentifier
	nonce   *big.Int
	certReq bool
}

// parseRequest reads a TimeStampReq. fail is -1 when it is acceptable, or
// the failInfo bit to reject it with.
func parseRequest(der []byte) (*request, int, string) {
	in := cryptobyte.String(der)
	var s, mi cryptobyte.String
	var version int64
	if !in.ReadASN1(&s, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, failBadDataFormat, "not a DER TimeStampReq"
	}
	if !s.ReadASN1Integer(&version) || version != 1 {
		return nil, failBadDataFormat, "version is not 1"
	}
	if !s.ReadASN1Element(&mi, cbasn1.SEQUENCE) {
		return nil, failBadDataFormat, "bad messageImprint"
	}
	q := &request{imprint: mi}
	var body, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var digest []byte
	if !mi.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) || !body.ReadASN1Bytes(&digest, cbasn1.OCTET_STRING) || !body.Empty() {
		return nil, failBadDataFormat, "bad messageImprint"
	}
	if !alg.Empty() && string(alg) != "\x05\x00" {
		return nil, failBadDataFormat, "bad hash algorithm parameters"
	}
	q.hash = cms.HashFromOID(oid)
	switch q.hash {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, failBadAlg, "hash algorithm " + oid.String() + " is not accepted"
	}
	if len(digest) != q.hash.Size() {
		return nil, failBadDataFormat, "digest length does not fit the hash"
	}
	if s.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		q.policy = asn1.ObjectIdentifier{}
		if !s.ReadASN1ObjectIdentifier(&q.policy) {
			return nil, failBadDataFormat, "bad reqPolicy"
		}
	}
	if s.PeekASN1Tag(cbasn1.INTEGER) {
		q.nonce = new(big.Int)
		if !s.ReadASN1Integer(q.nonce) || q.nonce.BitLen() > 256 {
			return nil, failBadDataFormat, "bad nonce"
		}
	}
	if s.PeekASN1Tag(cbasn1.BOOLEAN) && !s.ReadASN1Boolean(&q.certReq) {
		return nil, failBadDataFormat, "bad certReq"
	}
	if s.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, failUnacceptedExtension, "extensions are not supported"
	}
	if !s.Empty() {
		return nil, failBadDataFormat, "data after the request"
	}
	return q, -1, ""
}

// rejection encodes a TimeStampResp with status rejection, failInfo bit
// and text.
func rejection(bit int, text string) []byte {
	bits := make([]byte, bit/8+1)
	bits[bit/8] = 0x80 >> (bit % 8)
	unused := 7 - bit%8
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(2) // rejection
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(text)) })
			})
			b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
				b.AddUint8(uint8(unused))
				b.AddBytes(bits)
			})
		})
	})
	return b.BytesOrPanic()
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || part == "" || (len(part) > 1 && part[0] == '0') {
			return nil, fmt.Errorf("tsa: bad object identifier %q", s)
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 || oid[0] > 2 {
		return nil, fmt.Errorf("tsa: bad object identifier %q", s)
	}
	return oid, nil
}
