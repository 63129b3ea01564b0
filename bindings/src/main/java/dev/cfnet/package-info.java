/**
 * cfnet's API: Core Foundation's CFSocket / CFHost / CFRunLoop programming model, with sockets whose events arrive
 * as callbacks on a run loop, over CoreFoundation ({@link Backend#CF}) or pure Java NIO
 * ({@link Backend#NIO}).
 *
 * <p>Start with {@link RunLoop#start(String)}; make sockets with {@link Socket#create},
 * resolve names with {@link Host#resolve}, and schedule timers with
 * {@link RunLoop#schedule}. Every callback runs on the loop's thread, one at a time.
 *
 * <p>What surprises people:
 * <ul>
 *   <li>A {@link SocketEvent.Data} event's bytes are only valid during its callback; copy what you keep.
 *   </li>
 *   <li>{@link Socket#write} before the connection is up queues the bytes; they go out once connected.
 *   </li>
 *   <li>A failed asynchronous connect invalidates a DATA socket (after an empty DATA event) but leaves any other
 *       socket valid until you invalidate it; see {@link Socket}.</li>
 *   <li>What a callback throws goes to the loop's {@link CallbackErrorHandler}: by default it is logged
 *       and the socket, timer or resolution is invalidated; the loop goes on.</li>
 * </ul>
 *
 * <h2>Callback semantics (as CFSocket)</h2>
 * <ul>
 *   <li>A socket asks for at most one of READ, ACCEPT and DATA, plus any of CONNECT and WRITE.</li>
 *   <li>The read-type callback re-arms itself after each call (flag AUTO_REENABLE_*); WRITE fires once per
 *       {@link Socket#enableCallBacks} unless {@link SocketFlag#AUTO_REENABLE_WRITE} is set. A successful connect also
 *       fires WRITE once if the socket asked for it.</li>
 *   <li>CONNECT fires at most once, with the error on failure; no WRITE follows a failed connect.</li>
 *   <li>Within one dispatch: CONNECT, then READ/DATA/ACCEPT, then WRITE; once a callback invalidated the socket, the
 *       later ones are skipped.</li>
 *   <li>Empty DATA on a stream socket means end of stream or a read error; the socket is invalidated after that
 *       callback.</li>
 *   <li>Callbacks run on the loop thread one at a time; none starts after {@link Socket#invalidate()} returned.</li>
 *   <li>A {@link SocketEvent.Data} event's bytes are only valid during its callback: the loop reuses the buffer
 *       for the next event. Copy what you keep ({@link SocketEvent.Data#toByteArray()}).</li>
 * </ul>
 *
 * <h2>Connecting and writing</h2>
 * <ul>
 *   <li>{@link Socket#write} works before the connection is up: the bytes are queued and go out, in order, once the
 *       connect succeeds. If the connect fails they are never sent.</li>
 *   <li>A failed asynchronous connect
 *       ({@link Socket#connect(java.net.InetSocketAddress, java.time.Duration) connect} with a zero timeout) reports
 *       {@link SocketEvent.Connected} with the error, and then, as CF does: a socket with DATA gets an empty
 *       {@link SocketEvent.Data} carrying the same error and is invalidated after that callback; a socket with READ
 *       gets {@link SocketEvent.Readable}, and {@link Socket#receive} throws the error; any other socket gets nothing
 *       more. Those last two <em>stay valid</em> ({@link Socket#isValid()} is true) until you
 *       {@link Socket#invalidate()} them: {@link Socket#write} and
 *       {@link Socket#send(java.nio.ByteBuffer, java.net.InetSocketAddress, java.time.Duration) send} throw
 *       {@link SocketError.Kind#NOT_CONNECTED}, and
 *       {@link Socket#connect(java.net.InetSocketAddress, java.time.Duration) connect} cannot be called again.
 *       Invalidate the socket in the CONNECT callback when it failed, and make a new one to retry.</li>
 *   <li>A waiting connect (positive timeout) that fails throws and invalidates the socket.</li>
 * </ul>
 *
 * <p>The CF backend calls native code: run with {@code --enable-native-access=dev.cfnet} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
package dev.cfnet;
