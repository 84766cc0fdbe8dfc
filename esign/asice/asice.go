package asice

import (
	"errors"
	"golang.org/x/text/unicode/norm"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MimeType is the content of the "mimetype" entry of an ASiC-E container.
const MimeType = "application/vnd.etsi.asic-e+zip"

// SignaturesName is the name of the one signature file of the Norwegian
// profiles.
const SignaturesName = "META-INF/signatures.xml"

// ODFManifestName is the name of the optional ODF manifest.
const ODFManifestName = "META-INF/manifest.xml"

// mimetypeName is the name of the optional first entry.
const mimetypeName = "mimetype"

// Profile selects the container layout [Sign] writes.
type Profile int

const (
	// ProfileDPI is the dokumentpakke of Digital post til innbyggere as
	// Digdir's integrasjonspunkt writes it: "mimetype" first and stored, the
	// files deflated in the given order (normally manifest.xml, the main
	// document, then attachments), META-INF/signatures.xml in the
	// http://uri.etsi.org/02918/v1.2.1# namespace, then (unless
	// WithODFManifest(false)) the ODF manifest META-INF/manifest.xml.
	ProfileDPI Profile = iota
	// ProfileSignering is the document bundle of Posten signering: the
	// files in the given order (the documents, then the caller's job
	// manifest.xml), then META-INF/signatures.xml in the
	// http://uri.etsi.org/2918/v1.2.1# namespace with form-encoded reference
	// URIs (as Java's URLEncoder). No mimetype, no ODF manifest.
	ProfileSignering
)

// String returns the profile's name.
func (p Profile) String() string {
	switch p {
	case ProfileDPI:
		return "DPI"
	case ProfileSignering:
		return "Posten signering"
	}
	return "Profile(" + itoa(int(p)) + ")"
}

// File is one file to put in a container.
type File struct {
	// Name is the entry name: a slash-separated relative path in UTF-8, not
	// under META-INF/.
	Name string
	// MimeType is the file's media type, written in the signature's
	// DataObjectFormat (and the ODF manifest). Required.
	MimeType string
	// Data is the file's content.
	Data []byte
}

// FileInfo describes one file of an opened container.
type FileInfo struct {
	// Name is the entry name.
	Name string
	// Size is the uncompressed size the entry declares; reading enforces it.
	Size int64
	// CompressedSize is the size of the entry's data in the archive.
	CompressedSize int64
	// Stored is true for uncompressed (method 0) entries.
	Stored bool
}

// Sentinel errors, matched with [errors.Is]; the errors themselves are
// usually a [*FormatError] that names the entry.
var (
	// ErrUnsafeName: a name with a ".." segment, an absolute name, a drive
	// letter, a backslash, a NUL or other control character, invalid UTF-8,
	// a symlink, or a name reserved for the container itself.
	ErrUnsafeName = errors.New("asice: unsafe file name")
	// ErrDuplicate: two entries whose names are equal, equal after case
	// folding, or where one is a directory of the other.
	ErrDuplicate = errors.New("asice: duplicate file name")
	// ErrTooLarge: an entry or the whole container beyond the size or
	// compression-ratio limits.
	ErrTooLarge = errors.New("asice: too large")
	// ErrTooManyFiles: more entries than the limit.
	ErrTooManyFiles = errors.New("asice: too many files")
	// ErrMimetype: a "mimetype" entry that is not first, not stored, or
	// whose content is not exactly application/vnd.etsi.asic-e+zip.
	ErrMimetype = errors.New("asice: bad mimetype entry")
	// ErrMalformed: a container that is not a well-formed ZIP archive, or
	// one that uses features ASiC-E does not allow (encryption, unknown
	// compression methods, overlapping entries, disagreeing headers).
	ErrMalformed = errors.New("asice: malformed container")
	// ErrInput: an invalid argument to [Sign] or an option.
	ErrInput = errors.New("asice: invalid input")
	// ErrNotSigned: a container without a signature file, or with files the
	// signature does not cover.
	ErrNotSigned = errors.New("asice: not signed")
	// ErrInvalid: [Verify] found the container's signature invalid; the
	// [Report] says why.
	ErrInvalid = errors.New("asice: signature invalid")
)

// FormatError is the error [Open] and [Sign] return for a refused container
// or file, and that [Verify] returns (or wraps) for an unsigned one. Err is
// one of the sentinel errors ([ErrUnsafeName], [ErrDuplicate],
// [ErrTooLarge], [ErrTooManyFiles], [ErrMimetype], [ErrMalformed],
// [ErrInput], [ErrNotSigned]); match it with [errors.Is], and the
// FormatError itself with [errors.As].
type FormatError struct {
	// Name is the entry concerned, if any.
	Name string
	// Reason says what is wrong.
	Reason string
	// Err is the sentinel error.
	Err error
}

// Error implements error.
func (e *FormatError) Error() string {
	msg := e.Err.Error()
	if e.Name != "" {
		msg += ": " + quote(e.Name)
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Unwrap returns the sentinel error.
func (e *FormatError) Unwrap() error { return e.Err }

func ferr(kind error, name, reason string) *FormatError {
	return &FormatError{Name: name, Reason: reason, Err: kind}
}

// quote returns a printable, bounded form of an untrusted name.
func quote(s string) string {
	const max = 200
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		if i >= max {
			b.WriteString("...")
			break
		}
		switch {
		case r == utf8.RuneError || r == '"' || r == '\\' || !unicode.IsPrint(r):
			b.WriteString(strings.Trim(quoteRune(r), "'"))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func quoteRune(r rune) string {
	const hex = "0123456789abcdef"
	if r < 0x100 {
		return `\x` + string(hex[r>>4]) + string(hex[r&15])
	}
	return `\u` + string(hex[(r>>12)&15]) + string(hex[(r>>8)&15]) + string(hex[(r>>4)&15]) + string(hex[r&15])
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// checkName reports why name is not a safe entry name, or "" when it is.
// A safe name is valid UTF-8, relative, slash-separated with no empty, "."
// or ".." segments, and has no backslash, control character or drive
// letter. dir allows one trailing slash (a directory entry).
func checkName(name string, dir bool) string {
	if name == "" {
		return "empty name"
	}
	if !utf8.ValidString(name) {
		return "not UTF-8"
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "control character"
		}
		if r == '\\' {
			return "backslash"
		}
	}
	if name[0] == '/' {
		return "absolute name"
	}
	if len(name) >= 2 && name[1] == ':' && isLetter(name[0]) {
		return "drive letter"
	}
	n := name
	if dir && strings.HasSuffix(n, "/") {
		n = n[:len(n)-1]
	}
	for seg := range strings.SplitSeq(n, "/") {
		switch seg {
		case "..":
			return "path traversal"
		case "", ".":
			return "empty or dot path segment"
		}
	}
	return ""
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// foldKey returns the key under which names that differ only in case or
// in Unicode normalisation (NFC "å" and NFD "a" + ring, as macOS writes
// names) collide; both kinds unpack to one file on common file systems.
func foldKey(name string) string {
	return norm.NFC.String(strings.ToLower(strings.ToUpper(norm.NFD.String(name))))
}

// isMetaInf reports whether name is under META-INF/ (in any case).
func isMetaInf(name string) bool {
	return len(name) >= 9 && strings.EqualFold(name[:9], "META-INF/")
}

// nameSet detects duplicate names: equal, case-fold equal, and a name that
// is both a file and a directory ("a" and "a/b", or "a" and "a/").
type nameSet struct {
	files map[string]string // fold key -> name
	dirs  map[string]string // fold key of directory (no slash) -> name
}

func newNameSet() *nameSet {
	return &nameSet{files: map[string]string{}, dirs: map[string]string{}}
}

// add records name (a directory if it ends in "/") and returns a reason when
// it collides with an earlier one.
func (s *nameSet) add(name string) string {
	isDir := strings.HasSuffix(name, "/")
	n := strings.TrimSuffix(name, "/")
	k := foldKey(n)
	if prev, ok := s.files[k]; ok {
		if prev == n {
			return "same name twice"
		}
		return "equal to " + quote(prev) + " but for case"
	}
	if isDir {
		if _, ok := s.dirs[k]; ok {
			return "" // a directory entry may repeat an implied directory
		}
	} else if prev, ok := s.dirs[k]; ok {
		return "also a directory (" + quote(prev) + ")"
	}
	// Parents must not be files.
	for i := 0; i < len(n); i++ {
		if n[i] == '/' {
			pk := foldKey(n[:i])
			if prev, ok := s.files[pk]; ok {
				return "below the file " + quote(prev)
			}
			s.dirs[pk] = n[:i]
		}
	}
	if isDir {
		s.dirs[k] = n
	} else {
		s.files[k] = n
	}
	return ""
}
