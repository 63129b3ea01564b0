package dev.cfnet.demo.smtp;

/**
 * How a conversation ended.
 *
 * @param status    OK, SERVER (the server answered wrongly) or NETWORK (no answer, a closed connection, ...)
 * @param reason    one line for people
 * @param completed steps that got their expected reply
 */
public record Outcome(Status status, String reason, int completed) {

    public enum Status {
        OK(0), SERVER(1), NETWORK(2);

        private final int exitCode;

        Status(int exitCode) {
            this.exitCode = exitCode;
        }

        /** 0 every step got its code, 1 the server answered wrongly, 2 a network or usage error. */
        public int exitCode() {
            return exitCode;
        }
    }
}
