// XPathOracle.java: the reference side of internal/xpath's oracle tests
// (build tag oracle). It evaluates XPath expressions with Saxon-HE's XPath
// processor (s9api), each compiled and run on its own, so that one raising
// an error does not change how another is evaluated (an XQuery try/catch
// around each would: it changes Saxon's lazy evaluation).
//
//   java -cp /usr/share/java/Saxon-HE.jar XPathOracle.java [DOC.xml] < EXPRESSIONS
//
// Input: one expression per line. Output: one line per expression, its
// effective boolean value ("true" or "false"), or "error" and the error code.
// With DOC.xml, its document node is the context item.

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import net.sf.saxon.s9api.*;

public class XPathOracle {
    public static void main(String[] args) throws Exception {
        Processor proc = new Processor(false);
        XdmNode doc = null;
        if (args.length > 0) {
            doc = proc.newDocumentBuilder().build(new File(args[0]));
        }
        XPathCompiler xc = proc.newXPathCompiler();
        xc.setLanguageVersion("3.1");
        xc.declareNamespace("xs", "http://www.w3.org/2001/XMLSchema");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            try {
                XPathSelector s = xc.compile(line).load();
                if (doc != null) {
                    s.setContextItem(doc);
                }
                out.append(s.effectiveBooleanValue()).append('\n');
            } catch (SaxonApiException e) {
                String code = e.getErrorCode() == null ? "" : e.getErrorCode().getLocalName();
                out.append("error ").append(code).append('\n');
            }
        }
        System.out.print(out);
    }
}
