/**
 * cfnet: Apple's CFSocket / CFHost / CFRunLoop model for Java, over CoreFoundation (FFM) or pure NIO.
 */
module dev.cfnet {
    exports dev.cfnet;
}
