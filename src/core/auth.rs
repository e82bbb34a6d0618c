//! The `auth` request's signature: lowercase hex HMAC-SHA256 of the nonce's decimal string.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signs `nonce` with `secret` as MAX expects.
pub fn sign(secret: &str, nonce: u64) -> String {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; the fallback keeps it panic-free.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(nonce.to_string().as_bytes());
    to_hex(&mac.finalize().into_bytes())
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_lowercase_hex_of_hmac_sha256_over_the_nonce() {
        let signature = super::sign("secret", 1591690054859);
        assert_eq!(
            signature,
            "a8b5850dc52906d5f9cccba81f882bf53982ddafc595c21338609ff3e5cdfb2c"
        );
    }
}
