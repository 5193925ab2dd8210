#pragma once
// Issues one X.509 v2 CRL signed by a CA of the catalogue: the revocation list a CRL-checking
// broker loads (Mosquitto `crlfile`) so that a revoked client certificate is refused.

#include "certificate_builder.hpp"

#include <chrono>
#include <vector>

namespace hil::pki {

struct CrlSpec {
    std::chrono::seconds this_update_offset{-3600};          ///< relative to now, backdated like certificates
    std::chrono::seconds next_update_offset{30 * 24 * 3600}; ///< after it, verifiers call the CRL expired
    long number = 1;                                         ///< the crlNumber extension
};

/// A CRL from `ca` listing the serial numbers of `revoked` (reason keyCompromise, revoked at
/// this_update). Carries crlNumber and the CA's authority key identifier. Throws InfraError.
[[nodiscard]] ossl::Crl issue_crl(const Issued &ca, const std::vector<X509 *> &revoked, const CrlSpec &spec);

} // namespace hil::pki
