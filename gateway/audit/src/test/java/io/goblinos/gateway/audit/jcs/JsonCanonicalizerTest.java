package io.goblinos.gateway.audit.jcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class JsonCanonicalizerTest {
    @Test
    void rfc8785Section322SampleObject() {
        // RFC 8785 section 3.2.2 input and its canonical form (section 3.2.3 shows the result).
        String input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        assertThat(JsonCanonicalizer.canonicalize(input)).isEqualTo(
                "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                        + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @Test
    void rfc8785Section323SortsByUtf16CodeUnits() {
        // RFC 8785 section 3.2.3 sorting example: keys ordered by UTF-16 code units, not code points or locale.
        String input = "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\","
                + " \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\","
                + " \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";
        String canonical = JsonCanonicalizer.canonicalize(input);
        assertThat(canonical).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @Test
    void utf8OfTheCanonicalForm() {
        // printf '{"literals":[null],"string":"\xe2\x82\xac"}' | xxd -p
        byte[] utf8 = JsonCanonicalizer.canonicalizeToUtf8("{\"literals\":[null],\"string\":\"\u20ac\"}");
        assertThat(HexFormat.of().formatHex(utf8)).isEqualTo("7b226c69746572616c73223a5b6e756c6c5d2c22737472696e67223a22e282ac227d");
    }

    @Test
    void nestedStructuresAndArraysKeepOrderAndDropWhitespace() {
        assertThat(JsonCanonicalizer.canonicalize("{\"1\": {\"f\": {\"f\": \"hi\",\"F\": 5} ,\"\\n\": 56.0}, \"10\": { }, \"\": \"empty\","
                + " \"a\": { }, \"111\": [ {\"e\": \"yes\",\"E\": \"no\" } ], \"A\": { }}"))
                .isEqualTo("{\"\":\"empty\",\"1\":{\"\\n\":56,\"f\":{\"F\":5,\"f\":\"hi\"}},\"10\":{},\"111\":[{\"E\":\"no\",\"e\":\"yes\"}],\"A\":{},\"a\":{}}");
        assertThat(JsonCanonicalizer.canonicalize("[56, {\"d\": true, \"10\": null, \"1\": [ ]}]")).isEqualTo("[56,{\"1\":[],\"10\":null,\"d\":true}]");
    }

    @Test
    void escapesOnlyWhatEcmaScriptEscapes() {
        assertThat(JsonCanonicalizer.canonicalize("\"\\u0000\\u001f\\u007f\\u2028/\\b\\f\\t\""))
                .isEqualTo("\"\\u0000\\u001f\u007f\u2028/\\b\\f\\t\"");
        assertThat(JsonCanonicalizer.canonicalize("\"A\\u030a\"")).isEqualTo("\"A\u030a\""); // no Unicode normalization
        assertThat(new String(JsonCanonicalizer.canonicalizeToUtf8("\"\u00e9\""), StandardCharsets.UTF_8)).isEqualTo("\"\u00e9\"");
    }

    @Test
    void refusesWhatIJsonForbids() {
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalize("{\"a\":1,\"a\":2}")).isInstanceOf(InvalidJsonException.class).hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalize("\"\\ud800\"")).isInstanceOf(InvalidJsonException.class).hasMessageContaining("lone high surrogate U+D800");
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalize("\"\\udc00x\"")).isInstanceOf(InvalidJsonException.class).hasMessageContaining("lone low surrogate");
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalize("1e400")).isInstanceOf(InvalidJsonException.class).hasMessageContaining("outside the IEEE-754 double range");
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalize("{} []")).isInstanceOf(InvalidJsonException.class);
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalize("NaN")).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void numbersAreRoundedOnceToDouble() {
        assertThat(JsonCanonicalizer.canonicalize("[-0, -0.0, 1.0, 100, 1e2, 123456789012345678901234567890, 0.1]"))
                .isEqualTo("[0,0,1,100,100,1.2345678901234568e+29,0.1]");
    }

    @Test
    void withAndWithoutEqualsCanonicalizingTheObjectAndTheObjectMinusTheMember() {
        for (String input : new String[] {
            "{\"b\":1,\"signature\":\"x\",\"a\":[1,{\"z\":null,\"y\":2.50}]}",
            "{\"signature\":\"first\",\"z\":true}",
            "{\"a\":\"\\u20ac\",\"signature\":{\"nested\":[]}}",
            "{\"signature\":\"only\"}",
            "{\"a\":1,\"b\":2}",
            "{}"}) {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) StrictJson.parse(input);
            JsonCanonicalizer.WithAndWithout forms = JsonCanonicalizer.canonicalizeWithAndWithout(node, "signature");
            assertThat(forms.with()).as(input).isEqualTo(JsonCanonicalizer.canonicalize(node));
            node.remove("signature");
            assertThat(forms.without()).as(input).isEqualTo(JsonCanonicalizer.canonicalize(node));
        }
        assertThatThrownBy(() -> JsonCanonicalizer.canonicalizeWithAndWithout(StrictJson.parse("[1]"), "signature"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
