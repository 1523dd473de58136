package dev.runbook.expr;

/** An expression that does not compile, type-check or evaluate; the message is for people. */
public class ExpressionException extends Exception {
    public ExpressionException(String message) {
        super(message);
    }
}
