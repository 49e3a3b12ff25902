package io.goblinos.gateway.audit.note;

/** Key names in signed notes: non-empty, no whitespace, no '+'. */
final class NoteNames {
    private NoteNames() {
    }

    static void requireValid(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("note key name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || c == '+' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("note key name \"" + name + "\" has '" + c + "' at " + i + ", want no whitespace or '+'");
            }
        }
    }
}
