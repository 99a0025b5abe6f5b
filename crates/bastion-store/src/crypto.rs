//! Field encryption for identity and phone numbers: AES-256-GCM with a random nonce, and a keyed
//! blind index (HMAC-SHA256) for exact lookup. Keys come from a file or the environment and are
//! never written to the database; they are zeroised when dropped.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::db::{StoreError, StoreResult};

const VERSION: u8 = 1;

#[derive(Zeroize, ZeroizeOnDrop)]
struct KeyBytes([u8; 32]);

/// The keys of one deployment. `key_id` travels with every ciphertext so rotation can find old rows.
pub struct Crypto {
    key_id: u8,
    enc: KeyBytes,
    bidx: KeyBytes,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crypto {{ key_id: {}, keys: *** }}", self.key_id)
    }
}

fn parse_hex32(name: &str, s: &str) -> StoreResult<[u8; 32]> {
    let mut v = hex::decode(s.trim()).map_err(|_| StoreError::Crypto(format!("{name} 不是十六进制")))?;
    if v.len() != 32 {
        v.zeroize();
        return Err(StoreError::Crypto(format!("{name} 应为 32 字节（64 个十六进制字符）")));
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&v);
    v.zeroize();
    Ok(out)
}

impl Crypto {
    pub fn from_keys(key_id: u8, enc: [u8; 32], bidx: [u8; 32]) -> Self {
        Self { key_id, enc: KeyBytes(enc), bidx: KeyBytes(bidx) }
    }

    /// Fresh random keys (tests, and the first start of a new deployment).
    pub fn generate() -> Self {
        let mut enc = [0u8; 32];
        let mut bidx = [0u8; 32];
        OsRng.fill_bytes(&mut enc);
        OsRng.fill_bytes(&mut bidx);
        Self::from_keys(1, enc, bidx)
    }

    /// `BASTION_ENC_KEY` and `BASTION_BIDX_KEY` (hex) when set; otherwise the key file, created
    /// with mode 0600 when it does not exist yet.
    pub fn load(key_file: &Path) -> StoreResult<Self> {
        if let (Ok(enc), Ok(bidx)) = (std::env::var("BASTION_ENC_KEY"), std::env::var("BASTION_BIDX_KEY")) {
            return Ok(Self::from_keys(
                1,
                parse_hex32("BASTION_ENC_KEY", &enc)?,
                parse_hex32("BASTION_BIDX_KEY", &bidx)?,
            ));
        }
        if key_file.exists() {
            let mut text = std::fs::read_to_string(key_file)
                .map_err(|e| StoreError::Crypto(format!("无法读取密钥文件 {}：{e}", key_file.display())))?;
            let result = Self::parse_file(&text);
            text.zeroize();
            return result;
        }
        let c = Self::generate();
        if let Some(dir) = key_file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Crypto(e.to_string()))?;
        }
        let mut text = format!(
            "# Bastion 字段加密密钥：请离线备份，丢失后加密字段无法恢复\nkey_id=1\nenc={}\nbidx={}\n",
            hex::encode(c.enc.0),
            hex::encode(c.bidx.0)
        );
        write_private(key_file, &text)?;
        text.zeroize();
        Ok(c)
    }

    fn parse_file(text: &str) -> StoreResult<Self> {
        let mut key_id = 1u8;
        let (mut enc, mut bidx) = (None, None);
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            if let Some(v) = line.strip_prefix("key_id=") {
                key_id = v.parse().map_err(|_| StoreError::Crypto("key_id 无效".into()))?;
            } else if let Some(v) = line.strip_prefix("enc=") {
                enc = Some(parse_hex32("enc", v)?);
            } else if let Some(v) = line.strip_prefix("bidx=") {
                bidx = Some(parse_hex32("bidx", v)?);
            }
        }
        match (enc, bidx) {
            (Some(e), Some(b)) => Ok(Self::from_keys(key_id, e, b)),
            _ => Err(StoreError::Crypto("密钥文件缺少 enc= 或 bidx= 行".into())),
        }
    }

    /// `version || key_id || nonce(12) || ciphertext+tag`
    pub fn encrypt(&self, plain: &str) -> StoreResult<Vec<u8>> {
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.enc.0));
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = cipher.encrypt(&nonce, plain.as_bytes()).map_err(|_| StoreError::Crypto("加密失败".into()))?;
        let mut out = Vec::with_capacity(2 + 12 + ct.len());
        out.push(VERSION);
        out.push(self.key_id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn decrypt(&self, blob: &[u8]) -> StoreResult<String> {
        if blob.len() < 2 + 12 + 16 || blob[0] != VERSION {
            return Err(StoreError::Crypto("密文格式无效".into()));
        }
        if blob[1] != self.key_id {
            return Err(StoreError::Crypto(format!("密文使用密钥 {}，当前密钥为 {}", blob[1], self.key_id)));
        }
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.enc.0));
        let plain = cipher
            .decrypt(Nonce::from_slice(&blob[2..14]), &blob[14..])
            .map_err(|_| StoreError::Crypto("解密失败（密钥不符或数据被篡改）".into()))?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto("解密结果不是 UTF-8".into()))
    }

    /// Keyed blind index of a normalised value, domain-separated by `kind` ("id", "phone").
    pub fn blind_index(&self, kind: &str, normalised: &str) -> String {
        // HMAC accepts keys of any length, so new_from_slice cannot fail here.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.bidx.0) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(kind.as_bytes());
        mac.update(b"\x00");
        mac.update(normalised.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

fn write_private(path: &Path, text: &str) -> StoreResult<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| StoreError::Crypto(format!("无法创建密钥文件 {}：{e}", path.display())))?;
    f.write_all(text.as_bytes()).map_err(|e| StoreError::Crypto(e.to_string()))?;
    f.sync_all().map_err(|e| StoreError::Crypto(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let c = Crypto::generate();
        let blob = c.encrypt("11010519491231002X").unwrap();
        assert!(!blob.windows(6).any(|w| w == b"110105"));
        assert_eq!(c.decrypt(&blob).unwrap(), "11010519491231002X");
        let mut bad = blob.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(c.decrypt(&bad).is_err());
        assert_eq!(c.blind_index("id", "x"), c.blind_index("id", "x"));
        assert_ne!(c.blind_index("id", "x"), c.blind_index("phone", "x"));
        assert_ne!(c.blind_index("id", "x"), Crypto::generate().blind_index("id", "x"));
    }

    #[test]
    fn key_file_is_created_then_reused() {
        let dir = std::env::temp_dir().join(format!("bastion-key-{}", rand::random::<u64>()));
        let path = dir.join("keys").join("bastion.keys");
        let a = Crypto::load(&path).unwrap();
        let b = Crypto::load(&path).unwrap();
        assert_eq!(b.decrypt(&a.encrypt("13800001111").unwrap()).unwrap(), "13800001111");
        let _ = std::fs::remove_dir_all(dir);
    }
}
