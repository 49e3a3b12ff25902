package io.goblinos.gateway.audit.jcs;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Serializes an IEEE-754 double exactly like ECMAScript's {@code Number.prototype.toString()} (ECMA-262
 * Number::toString), as RFC 8785 section 3.2.2.3 requires.
 *
 * <p>Java 17's {@link Double#toString(double)} does not always produce the shortest round-tripping digits
 * (fixed only in JDK 19), so the shortest digit string is searched here with exact decimal arithmetic: for
 * k = 1..17 the exact binary value is rounded half-even to k significant digits and the first k that parses
 * back to the same double wins. Rounding the exact value also gives the "closest, ties to even" choice
 * ECMA-262 asks for when several k-digit strings round-trip.
 */
public final class EcmaScriptNumbers {
    private static final long MAX_SAFE_INTEGER = (1L << 53);

    private EcmaScriptNumbers() {
    }

    /**
     * Formats {@code value} as ECMAScript would.
     *
     * @param value a finite double (RFC 8785 forbids NaN and the infinities)
     * @return the canonical number text; {@code -0.0} yields {@code "0"}
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     */
    public static String format(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("number " + value + " is not allowed in canonical JSON, want a finite value");
        }
        if (value == 0) {
            return "0";
        }
        if (value == Math.rint(value) && Math.abs(value) < MAX_SAFE_INTEGER) {
            return Long.toString((long) value);
        }
        String sign = value < 0 ? "-" : "";
        ShortestDecimal shortest = ShortestDecimal.of(Math.abs(value));
        return sign + layout(shortest.digits, shortest.exponent);
    }

    /** Lays out digits d1..dk with value 0.d1..dk * 10^n per ECMA-262 Number::toString steps 6 to 10. */
    private static String layout(String digits, int n) {
        int k = digits.length();
        StringBuilder out = new StringBuilder(k + 8);
        if (k <= n && n <= 21) {
            out.append(digits);
            out.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }

    /** The shortest decimal digit string that round-trips, with n such that value = 0.digits * 10^n. */
    private static final class ShortestDecimal {
        final String digits;
        final int exponent;

        private ShortestDecimal(String digits, int exponent) {
            this.digits = digits;
            this.exponent = exponent;
        }

        static ShortestDecimal of(double positive) {
            BigDecimal exact = new BigDecimal(positive);
            for (int precision = 1; precision <= 17; precision++) {
                BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
                if (rounded.doubleValue() == positive && Double.parseDouble(rounded.toString()) == positive) {
                    return fromBigDecimal(rounded);
                }
            }
            return fromBigDecimal(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
        }

        private static ShortestDecimal fromBigDecimal(BigDecimal value) {
            BigDecimal stripped = value.stripTrailingZeros();
            String digits = stripped.unscaledValue().toString();
            // value = unscaled * 10^-scale = 0.digits * 10^(len - scale)
            int exponent = digits.length() - stripped.scale();
            return new ShortestDecimal(digits, exponent);
        }
    }
}
