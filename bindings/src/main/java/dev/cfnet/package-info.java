/**
 * cfnet's API: Core Foundation's CFSocket / CFHost / CFRunLoop programming model, with sockets whose events arrive
 * as callbacks on a run loop, over CoreFoundation ({@link dev.cfnet.Backend#CF}) or pure Java NIO
 * ({@link dev.cfnet.Backend#NIO}).
 *
 * <p>Start with {@link dev.cfnet.RunLoop#start(String)}; make sockets with {@link dev.cfnet.Socket#create},
 * resolve names with {@link dev.cfnet.Host#resolve}, and schedule timers with
 * {@link dev.cfnet.RunLoop#schedule}. Every callback runs on the loop's thread, one at a time.
 *
 * <p>What surprises people:
 * <ul>
 *   <li>A {@link dev.cfnet.SocketEvent.Data} event's bytes are only valid during its callback; copy what you keep.
 *   </li>
 *   <li>{@link dev.cfnet.Socket#write} before the connection is up queues the bytes; they go out once connected.
 *   </li>
 *   <li>A failed asynchronous connect invalidates a DATA socket (after an empty DATA event) but leaves any other
 *       socket valid until you invalidate it; see {@link dev.cfnet.Socket}.</li>
 *   <li>What a callback throws goes to the loop's {@link dev.cfnet.CallbackErrorHandler}: by default it is logged
 *       and the socket, timer or resolution is invalidated; the loop goes on.</li>
 * </ul>
 *
 * <p>The CF backend calls native code: run with {@code --enable-native-access=dev.cfnet} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
package dev.cfnet;
