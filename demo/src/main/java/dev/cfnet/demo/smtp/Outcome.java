package dev.cfnet.demo.smtp;

/**
 * How a conversation ended.
 *
 * @param status    how, as an exit code (see {@link Status})
 * @param reason    one line for people
 * @param completed steps that got their expected reply
 */
public record Outcome(Status status, String reason, int completed) {

    public enum Status {
        /** Every step got an expected reply (and a message was delivered, when there was one). */
        OK(0),
        /** The server refused or answered wrongly: a 5xx or another unexpected code, or bytes that are not SMTP. */
        SERVER(1),
        /** No address, no connection, a timeout, a closed or reset connection (also usage errors: exit 2). */
        NETWORK(2),
        /** The server answered 4xx (e.g. 421 service not available, 450 mailbox busy): try again later. */
        TEMPORARY(3),
        /** TLS failed: STARTTLS not offered or refused, a failed handshake, a refused certificate. */
        TLS(4);

        private final int exitCode;

        Status(int exitCode) {
            this.exitCode = exitCode;
        }

        /** 0 ok, 1 the server answered wrongly, 2 network or usage, 3 temporary (4xx), 4 TLS. */
        public int exitCode() {
            return exitCode;
        }
    }
}
