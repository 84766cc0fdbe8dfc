package asice

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestRoundTripDPI(t *testing.T) {
	files := dpiFiles()
	data := signed(t, files)

	// Layout: mimetype first, stored, no extra field, content at offset 38.
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) || string(data[30:38]) != "mimetype" || string(data[38:38+len(MimeType)]) != MimeType {
		t.Fatalf("offset 30 holds %q, want mimetype%s", data[30:min(len(data), 70)], MimeType)
	}
	if extra := int(data[28]) | int(data[29])<<8; extra != 0 {
		t.Errorf("mimetype has a %d-byte extra field", extra)
	}
	if v := int(data[4]) | int(data[5])<<8; v != 10 {
		t.Errorf("mimetype needs version %d, want 10", v)
	}
	if flags := int(data[6]) | int(data[7])<<8; flags&0x8 != 0 {
		t.Errorf("mimetype uses a data descriptor (flags %#x)", flags)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
		if f.Name == "mimetype" && f.Method != zip.Store {
			t.Errorf("mimetype method %d", f.Method)
		}
		if f.Name == "vedlegg/info fil.txt" && f.Method != zip.Deflate {
			t.Errorf("compressible file stored")
		}
	}
	want := []string{"mimetype", "manifest.xml", "vedtak.pdf", "vedlegg/info fil.txt", SignaturesName, ODFManifestName}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("entries %q, want %q", got, want)
	}

	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasMimetype() {
		t.Error("HasMimetype false")
	}
	for _, f := range files {
		b, err := c.ReadFile(f.Name)
		if err != nil || !bytes.Equal(b, f.Data) {
			t.Errorf("ReadFile(%q) = %q, %v", f.Name, b, err)
		}
	}
	odf, err := c.ReadFile(ODFManifestName)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`urn:oasis:names:tc:opendocument:xmlns:manifest:1.0`, `full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"`, `full-path="vedlegg/info fil.txt" manifest:media-type="text/plain"`} {
		if !bytes.Contains(odf, []byte(s)) {
			t.Errorf("ODF manifest lacks %s:\n%s", s, odf)
		}
	}
	sig, ok := c.SignatureXML()
	if !ok {
		t.Fatal("no signature")
	}
	for _, s := range []string{`xmlns="http://uri.etsi.org/02918/v1.2.1#"`, `URI="vedlegg/info%20fil.txt"`, `REC-xml-c14n-20010315`} {
		if !bytes.Contains(sig, []byte(s)) {
			t.Errorf("signatures.xml lacks %s", s)
		}
	}
	if err := fstest.TestFS(c.FS(), "mimetype", "manifest.xml", "vedtak.pdf", "vedlegg/info fil.txt", SignaturesName, ODFManifestName); err != nil {
		t.Error(err)
	}

	rep, err := Verify(bytes.NewReader(data), int64(len(data)), verifyOpts(t))
	if err != nil {
		t.Fatalf("Verify: %v (%+v)", err, rep)
	}
	if !rep.Valid || len(rep.Files) != 3 || rep.Signer == nil || rep.SigningTime.IsZero() {
		t.Errorf("report %+v", rep)
	}
}

func TestRoundTripSignering(t *testing.T) {
	files := []File{
		{Name: "kontrakt del 1.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4 kontrakt")},
		{Name: "vilkår.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4 vilkår")},
		{Name: "manifest.xml", MimeType: "application/xml", Data: []byte(`<direct-signature-job-manifest xmlns="http://signering.posten.no/schema/v1"/>`)},
	}
	data := signed(t, files, WithProfile(ProfileSignering))
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range zr.File {
		got = append(got, f.Name)
	}
	want := []string{"kontrakt del 1.pdf", "vilkår.pdf", "manifest.xml", SignaturesName}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("entries %q, want %q", got, want)
	}
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if c.HasMimetype() {
		t.Error("mimetype in a Posten signering container")
	}
	sig, _ := c.SignatureXML()
	for _, s := range []string{`xmlns="http://uri.etsi.org/2918/v1.2.1#"`, `URI="kontrakt+del+1.pdf"`, `URI="vilk%C3%A5r.pdf"`} {
		if !bytes.Contains(sig, []byte(s)) {
			t.Errorf("signatures.xml lacks %s", s)
		}
	}
	rep, err := Verify(bytes.NewReader(data), int64(len(data)), verifyOpts(t))
	if err != nil || !rep.Valid {
		t.Fatalf("Verify: %v (%+v)", err, rep)
	}
	if _, err := Verify(bytes.NewReader(data), int64(len(data)), VerifyOptions{}); err == nil {
		t.Error("verified against the system roots, which lack the test CA")
	}
	var buf bytes.Buffer
	_, cert := testPKI(t)
	if err := Sign(&buf, files, cert.Signer, cert.Chain, WithProfile(ProfileSignering), WithODFManifest(true)); !errors.Is(err, ErrInput) {
		t.Errorf("ODF manifest in Posten signering: %v", err)
	}
}

func TestSignRefusesBadFiles(t *testing.T) {
	_, cert := testPKI(t)
	ok := File{Name: "a.txt", MimeType: "text/plain", Data: []byte("a")}
	for _, tc := range []struct {
		name  string
		files []File
		want  error
	}{
		{"empty", []File{{Name: "", MimeType: "text/plain"}}, ErrUnsafeName},
		{"absolute", []File{{Name: "/etc/passwd", MimeType: "text/plain"}}, ErrUnsafeName},
		{"traversal", []File{{Name: "a/../../b", MimeType: "text/plain"}}, ErrUnsafeName},
		{"backslash", []File{{Name: `a\b`, MimeType: "text/plain"}}, ErrUnsafeName},
		{"drive", []File{{Name: `C:x`, MimeType: "text/plain"}}, ErrUnsafeName},
		{"nul", []File{{Name: "a\x00b", MimeType: "text/plain"}}, ErrUnsafeName},
		{"not utf8", []File{{Name: "a\xffb", MimeType: "text/plain"}}, ErrUnsafeName},
		{"meta-inf", []File{{Name: "META-INF/x.xml", MimeType: "text/plain"}}, ErrUnsafeName},
		{"meta-inf case", []File{{Name: "meta-inf/signatures.xml", MimeType: "text/plain"}}, ErrUnsafeName},
		{"mimetype", []File{{Name: "mimetype", MimeType: "text/plain"}}, ErrUnsafeName},
		{"duplicate", []File{ok, ok}, ErrDuplicate},
		{"case duplicate", []File{ok, {Name: "A.TXT", MimeType: "text/plain"}}, ErrDuplicate},
		{"file and dir", []File{ok, {Name: "a.txt/b", MimeType: "text/plain"}}, ErrDuplicate},
		{"no mime", []File{{Name: "a.txt"}}, ErrInput},
		{"no files", nil, ErrInput},
		{"too many", make([]File, 203), ErrTooManyFiles},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Sign(io.Discard, tc.files, cert.Signer, cert.Chain)
			if !errors.Is(err, tc.want) {
				t.Errorf("Sign = %v, want %v", err, tc.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "asice: ") {
				t.Errorf("error %v is not a *FormatError with the asice prefix", err)
			}
		})
	}
	many := make([]File, 250)
	for i := range many {
		many[i] = File{Name: "f" + itoa(i), MimeType: "text/plain", Data: []byte{byte(i)}}
	}
	if err := Sign(io.Discard, many, cert.Signer, cert.Chain, WithMaxFiles(300)); err != nil {
		t.Errorf("WithMaxFiles(300): %v", err)
	}
}

func TestStoreIncompressible(t *testing.T) {
	random := make([]byte, 100<<10)
	rand.Read(random)
	files := []File{{Name: "foto.jpg", MimeType: "image/jpeg", Data: random}, {Name: "a.txt", MimeType: "text/plain", Data: bytes.Repeat([]byte("ab"), 10000)}}
	for _, tc := range []struct {
		opts        []Option
		photoStored bool
	}{
		{nil, true},
		{[]Option{WithStoreIncompressible(false)}, false},
	} {
		data := signed(t, files, tc.opts...)
		c, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, fi := range c.Files() {
			switch fi.Name {
			case "foto.jpg":
				if fi.Stored != tc.photoStored {
					t.Errorf("foto.jpg stored=%v, want %v", fi.Stored, tc.photoStored)
				}
			case "a.txt":
				if fi.Stored {
					t.Error("a.txt stored")
				}
			}
		}
		if _, err := Verify(bytes.NewReader(data), int64(len(data)), verifyOpts(t)); err != nil {
			t.Error(err)
		}
	}
}

func TestFSLazyAndValid(t *testing.T) {
	data := signed(t, dpiFiles())
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	fsys := c.FS()
	for _, bad := range []string{"../x", "/mimetype", "vedlegg/", "nope"} {
		if _, err := fsys.Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, ","); got != "META-INF,manifest.xml,mimetype,vedlegg,vedtak.pdf" {
		t.Errorf("ReadDir(.) = %s", got)
	}
}

func TestReferenceURIsRoundTrip(t *testing.T) {
	names := []string{"rapport (endelig) #2.pdf", "æøå.txt", "a+b.txt", "ab:c.txt", "100%.txt", "dir/sub dir/x?.txt"}
	for _, tc := range []struct {
		p    Profile
		want map[string]string
	}{
		{ProfileDPI, map[string]string{"rapport (endelig) #2.pdf": "rapport%20%28endelig%29%20%232.pdf", "ab:c.txt": "ab%3Ac.txt", "a+b.txt": "a%2Bb.txt", "dir/sub dir/x?.txt": "dir/sub%20dir/x%3F.txt"}},
		{ProfileSignering, map[string]string{"rapport (endelig) #2.pdf": "rapport+%28endelig%29+%232.pdf", "a+b.txt": "a%2Bb.txt", "dir/sub dir/x?.txt": "dir%2Fsub+dir%2Fx%3F.txt"}},
	} {
		for name, want := range tc.want {
			if got := referenceURI(name, tc.p); got != want {
				t.Errorf("%v: referenceURI(%q) = %q, want %q", tc.p, name, got, want)
			}
		}
		var files []File
		for _, n := range names {
			files = append(files, File{Name: n, MimeType: "text/plain", Data: []byte(n)})
		}
		data := signed(t, files, WithProfile(tc.p))
		rep, err := Verify(bytes.NewReader(data), int64(len(data)), verifyOpts(t))
		if err != nil || len(rep.Files) != len(names) {
			t.Errorf("%v: Verify: %v %+v", tc.p, err, rep)
		}
	}
}

func TestDPIWithoutODFManifest(t *testing.T) {
	data := signed(t, dpiFiles(), WithODFManifest(false), WithCompressionLevel(9))
	c, err := Open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := c.Files()
	if files[0].Name != "mimetype" || files[len(files)-1].Name != SignaturesName {
		t.Errorf("layout %+v", files)
	}
	if _, err := Verify(bytes.NewReader(data), int64(len(data)), verifyOpts(t)); err != nil {
		t.Error(err)
	}
	// All files stored: still a valid, verifiable container.
	data = signed(t, dpiFiles(), WithCompressionLevel(0))
	if _, err := Verify(bytes.NewReader(data), int64(len(data)), verifyOpts(t)); err != nil {
		t.Error(err)
	}
}

// A negative MaxSignatureSize is an invalid option (as MaxSize is in
// pades and xades), not a verdict that the container is invalid.
func TestVerifyRefusesNegativeMaxSignatureSize(t *testing.T) {
	data := signed(t, []File{{Name: "a.txt", MimeType: "text/plain", Data: []byte("a")}})
	rep, err := Verify(bytes.NewReader(data), int64(len(data)), VerifyOptions{MaxSignatureSize: -1})
	if rep != nil || !errors.Is(err, ErrInput) || errors.Is(err, ErrInvalid) {
		t.Fatalf("MaxSignatureSize -1: report %v, error %v; want no report and ErrInput", rep, err)
	}
}
