// The schema verdict of Java's built-in validator (javax.xml.validation, what the official validators run on), for
// tests/test_xsd_java.py: arguments are pairs (key, schema file); each line read from standard input is
// "key<TAB>document file", each line written is VALID or INVALID<TAB>the first error.
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

public class XsdCheck {
    public static void main(String[] args) throws Exception {
        SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        Map<String, Schema> schemas = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            schemas.put(args[i], factory.newSchema(new File(args[i + 1])));
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t", 2);
            Validator validator = schemas.get(parts[0]).newValidator();
            final List<String> errors = new ArrayList<>();
            validator.setErrorHandler(new ErrorHandler() {
                public void warning(SAXParseException e) { }
                public void error(SAXParseException e) { errors.add(e.getLineNumber() + ": " + e.getMessage()); }
                public void fatalError(SAXParseException e) throws SAXException {
                    errors.add(e.getLineNumber() + ": " + e.getMessage());
                    throw e;
                }
            });
            try {
                validator.validate(new StreamSource(new File(parts[1])));
            } catch (Exception e) {
                if (errors.isEmpty()) errors.add(String.valueOf(e.getMessage()));
            }
            // one line each: a message may quote a value with line ends in it
            System.out.println(errors.isEmpty() ? "VALID" : "INVALID\t" + errors.get(0).replaceAll("[\\r\\n]", " "));
            System.out.flush();
        }
    }
}
