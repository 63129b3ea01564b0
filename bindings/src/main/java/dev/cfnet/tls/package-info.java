/**
 * TLS for cfnet sockets, on either backend, with the JDK's {@link javax.net.ssl.SSLEngine}: a
 * {@link dev.cfnet.tls.TlsSocket} layered on a connected stream {@link dev.cfnet.Socket} and driven by its
 * callbacks. {@link dev.cfnet.tls.TlsSocket#connect} and {@link dev.cfnet.tls.TlsSocket#wrap} start TLS at once
 * (client, server); {@link dev.cfnet.tls.StartTls} upgrades a plaintext conversation. Events are
 * {@link dev.cfnet.tls.TlsEvent}s, failures {@link dev.cfnet.tls.TlsError}s.
 */
package dev.cfnet.tls;
