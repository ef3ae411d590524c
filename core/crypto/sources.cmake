# Sources of core/crypto, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  crypto/random.cpp crypto/random.h
  crypto/hash.cpp crypto/hash.h
  crypto/encoding.cpp crypto/encoding.h
  crypto/certificate.cpp crypto/certificate.h
)
