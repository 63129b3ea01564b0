# Applied by `make bindings` to jextract's header class CF.java, the one change to its output: the bindings look
# their symbols up through dev.cfnet.cf.CfLibrary, which loads CoreFoundation first the way Backend.CF does and
# says what to do when it cannot. jextract's own lookup sees only libraries loaded already, so a raw CF call made
# before anything loaded CoreFoundation failed with "Symbol not found" and that function stayed unusable.
/static final SymbolLookup SYMBOL_LOOKUP = SymbolLookup.loaderLookup()$/{
N
s/SymbolLookup\.loaderLookup()\n *\.or(Linker\.nativeLinker()\.defaultLookup());/dev.cfnet.cf.CfLibrary.symbolLookup();/
}
