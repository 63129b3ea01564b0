/**
 * cfnet: Apple's CFSocket / CFHost / CFRunLoop model for Java, over CoreFoundation (FFM) or pure NIO.
 */
module dev.cfnet {
    exports dev.cfnet;
    /** TLS over cfnet sockets, with the JDK's SSLEngine. */
    exports dev.cfnet.tls;
    /** The raw CoreFoundation bindings (jextract output), for code that ports CF calls one by one. */
    exports dev.cfnet.cf.ffi;
}
