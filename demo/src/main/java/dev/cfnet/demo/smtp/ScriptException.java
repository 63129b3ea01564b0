package dev.cfnet.demo.smtp;

/** A conversation script that cannot run; the message names the file and line. */
public final class ScriptException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScriptException(String message) {
        super(message);
    }
}
