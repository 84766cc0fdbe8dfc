// Oracle.java: the reference side of felles's differential tests and benchmarks for package
// einvoice (see einvoice/oracle_test.go, differential_test.go, bench_test.go, all under the build
// tag "oracle"). It runs the official compiled Schematron XSLTs (EN 16931 CEN layer + Peppol BIS
// Billing 3.0 layer) with Saxon-HE over UBL documents and prints, per document, the multiset of
// failed asserts, in a form a Go test parses. Single-file source launch, no build step:
//
//   java -cp /usr/share/java/Saxon-HE.jar Oracle.java -x CEN.xslt -x PEPPOL.xslt [FILES...]
//   java -cp /usr/share/java/Saxon-HE.jar Oracle.java -x CEN.xslt -x PEPPOL.xslt -bench 1000 FILES...
//
// With no FILES the paths are read from stdin, one per line, so one JVM serves thousands of files.
// A directory argument is read one level deep. Output (stdout, one line per document, flushed):
//
//   DOC <path>\t<id>(<flag>)x<count>,<id>(<flag>)x<count>,...    ids sorted; empty if none fired
//   DOC <path>\tDYNAMIC-ERROR <message>    the XSLT itself raised a dynamic error: no verdict
//   DOC <path>\tNOT-XML <message>          the document did not parse
//   SUMMARY docs=<n> elapsed-ms=<ms>
//
// Flags are mapped as the reference (shared/oracle/SchematronOracle.java) maps them: Schematron
// flag "fatal" (or none) counts as "error", "warning" stays "warning".
//
// -bench N: for each file, parse it once, warm up (-warm W iterations, default 200), then time N
// validations (every XSLT run to an SVRL tree, failed asserts counted, as a real validator must)
// and, separately, N parses. JVM start and XSLT compilation are not counted. Prints
//
//   BENCH <path>\tn=<N>\tns/op=<t>\tB/op=<bytes>\tparse-ns/op=<t>\tparse-B/op=<bytes>\tfailed-asserts=<k>
//
// B/op is the bytes allocated by the benchmarking thread (com.sun.management.ThreadMXBean), -1 if
// the JVM does not say.
import net.sf.saxon.s9api.*;

import javax.xml.transform.stream.StreamSource;
import java.io.*;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class Oracle {
    static final String SVRL = "http://purl.oclc.org/dsdl/svrl";
    static final QName ID = new QName("id"), FLAG = new QName("flag");
    static final Pattern TEXT_ID = Pattern.compile("^\\[(.+?)\\]-");

    final Processor proc = new Processor(false);
    final List<XsltExecutable> xslts = new ArrayList<>();
    final DocumentBuilder builder = proc.newDocumentBuilder();
    XPathExecutable failedAsserts, assertText;

    public static void main(String[] args) throws Exception {
        new Oracle().run(args);
    }

    void run(String[] args) throws Exception {
        XPathCompiler xp = proc.newXPathCompiler();
        xp.declareNamespace("svrl", SVRL);
        failedAsserts = xp.compile("//svrl:failed-assert");
        assertText = xp.compile("string(svrl:text)");
        int bench = 0, warm = 200;
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-x" -> {
                    long t0 = System.nanoTime();
                    xslts.add(proc.newXsltCompiler().compile(new StreamSource(new File(args[++i]))));
                    System.err.printf("oracle: compiled %s in %d ms%n", args[i], (System.nanoTime() - t0) / 1_000_000);
                }
                case "-bench" -> bench = Integer.parseInt(args[++i]);
                case "-warm" -> warm = Integer.parseInt(args[++i]);
                default -> inputs.add(args[i]);
            }
        }
        if (xslts.isEmpty()) {
            System.err.println("usage: java -cp Saxon-HE.jar Oracle.java -x A.xslt [-x B.xslt ...] [-bench N [-warm W]] [FILES...]");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        int docs = 0;
        if (inputs.isEmpty()) {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                for (Path f : expand(line.strip())) { one(out, f, bench, warm); docs++; }
            }
        } else {
            for (String in : inputs) for (Path f : expand(in)) { one(out, f, bench, warm); docs++; }
        }
        out.printf("SUMMARY docs=%d elapsed-ms=%d%n", docs, (System.nanoTime() - t0) / 1_000_000);
    }

    static List<Path> expand(String in) throws IOException {
        Path p = Paths.get(in);
        if (!Files.isDirectory(p)) return List.of(p);
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static String oneLine(Throwable e) {
        return String.valueOf(e.getMessage()).replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }

    void one(PrintStream out, Path f, int bench, int warm) {
        XdmNode doc;
        try {
            doc = builder.build(f.toFile());
        } catch (SaxonApiException e) {
            out.printf("DOC %s\tNOT-XML %s%n", f, oneLine(e));
            return;
        }
        List<String[]> hits;
        try {
            hits = validate(doc);
        } catch (SaxonApiException e) {
            out.printf("DOC %s\tDYNAMIC-ERROR %s%n", f, oneLine(e));
            return;
        }
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (String[] h : hits) counts.merge(h[0] + "(" + h[1] + ")", 1, Integer::sum);
        StringJoiner sj = new StringJoiner(",");
        counts.forEach((k, v) -> sj.add(k + "x" + v));
        out.printf("DOC %s\t%s%n", f, sj);
        if (bench > 0) {
            try {
                bench(out, f, doc, bench, warm, hits.size());
            } catch (Exception e) {
                out.printf("BENCH %s\tERROR %s%n", f, oneLine(e));
            }
        }
    }

    /** Runs every XSLT over doc and returns the failed asserts as {id, flag} pairs. */
    List<String[]> validate(XdmNode doc) throws SaxonApiException {
        List<String[]> hits = new ArrayList<>();
        for (XsltExecutable x : xslts) {
            XsltTransformer t = x.load();
            t.setInitialContextNode(doc);
            XdmDestination d = new XdmDestination();
            t.setDestination(d);
            t.transform();
            XPathSelector sel = failedAsserts.load();
            sel.setContextItem(d.getXdmNode());
            for (XdmItem it : sel) {
                XdmNode fa = (XdmNode) it;
                String id = fa.getAttributeValue(ID);
                String flag = fa.getAttributeValue(FLAG);
                if (id == null) {
                    XPathSelector ts = assertText.load();
                    ts.setContextItem(fa);
                    Matcher m = TEXT_ID.matcher(ts.evaluateSingle().getStringValue());
                    id = m.find() ? m.group(1) : "UNKNOWN";
                }
                hits.add(new String[]{id, flag == null || "fatal".equals(flag) ? "error" : flag});
            }
        }
        return hits;
    }

    static long allocated() {
        try {
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            return mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        } catch (Throwable e) {
            return Long.MIN_VALUE;
        }
    }

    void bench(PrintStream out, Path f, XdmNode doc, int n, int warm, int expect) throws Exception {
        byte[] data = Files.readAllBytes(f);
        String sys = f.toUri().toString();
        int sink = 0;
        for (int i = 0; i < warm; i++) {
            sink += validate(doc).size();
            sink += parse(data, sys) == null ? 0 : 1;
        }
        long a0 = allocated(), t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int k = validate(doc).size();
            if (k != expect) throw new IllegalStateException("unstable result " + k + " != " + expect);
            sink += k;
        }
        long t1 = System.nanoTime(), a1 = allocated();
        for (int i = 0; i < n; i++) sink += parse(data, sys) == null ? 0 : 1;
        long t2 = System.nanoTime(), a2 = allocated();
        boolean mem = a0 != Long.MIN_VALUE;
        out.printf("BENCH %s\tn=%d\tns/op=%d\tB/op=%d\tparse-ns/op=%d\tparse-B/op=%d\tfailed-asserts=%d%n",
                f, n, (t1 - t0) / n, mem ? (a1 - a0) / n : -1, (t2 - t1) / n, mem ? (a2 - a1) / n : -1, expect);
        if (sink == 42) System.err.println();
    }

    XdmNode parse(byte[] data, String systemId) throws SaxonApiException {
        StreamSource src = new StreamSource(new ByteArrayInputStream(data), systemId);
        return builder.build(src);
    }
}
