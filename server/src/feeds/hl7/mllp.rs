//! MLLP framing: each message travels as `0x0B` message `0x1C 0x0D`.
//!
//! The deframer is fed bytes as they arrive and hands back whole frames. A
//! frame over the size limit is not kept whole: its first bytes are (to
//! address the refusal), the rest is counted and dropped. Bytes outside a
//! frame other than CR/LF, a start byte inside a frame, or an end byte not
//! followed by CR break the framing: the stream cannot be trusted to find
//! the next message, so the connection is closed.

/// Start block.
pub const START: u8 = 0x0B;
/// End block, followed by [`CR`].
pub const END: u8 = 0x1C;
pub const CR: u8 = 0x0D;

/// One frame's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Message(Vec<u8>),
    /// Larger than the limit: its first `limit` bytes, and its full size.
    Oversized {
        head: Vec<u8>,
        size: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("bytes outside an MLLP frame")]
    OutsideFrame,
    #[error("a start block inside a frame")]
    StartInsideFrame,
    #[error("an end block not followed by a carriage return")]
    NoCarriageReturn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    Inside,
    AfterEnd,
}

/// Turns a byte stream into frames.
#[derive(Debug)]
pub struct Deframer {
    limit: usize,
    state: State,
    kept: Vec<u8>,
    size: usize,
}

impl Deframer {
    /// A deframer for messages of at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self { limit, state: State::Between, kept: Vec::new(), size: 0 }
    }

    /// Whether a frame has begun and not yet ended.
    pub fn in_frame(&self) -> bool {
        self.state != State::Between
    }

    /// Consumes `input`, appending the frames it completes to `frames`.
    /// After an error the deframer is spent: the caller closes the stream.
    pub fn push(&mut self, mut input: &[u8], frames: &mut Vec<Frame>) -> Result<(), FramingError> {
        while let Some((&first, rest)) = input.split_first() {
            match self.state {
                State::Between => {
                    match first {
                        START => {
                            self.state = State::Inside;
                            self.kept.clear();
                            self.size = 0;
                        }
                        b'\r' | b'\n' => {}
                        _ => return Err(FramingError::OutsideFrame),
                    }
                    input = rest;
                }
                State::Inside => {
                    let end = input.iter().position(|&b| b == END || b == START).unwrap_or(input.len());
                    let (content, tail) = input.split_at(end);
                    let room = self.limit.saturating_sub(self.kept.len());
                    self.kept.extend_from_slice(content.get(..room.min(content.len())).unwrap_or_default());
                    self.size = self.size.saturating_add(content.len());
                    match tail.split_first() {
                        Some((&END, rest)) => {
                            self.state = State::AfterEnd;
                            input = rest;
                        }
                        Some(_) => return Err(FramingError::StartInsideFrame),
                        None => input = tail,
                    }
                }
                State::AfterEnd => {
                    if first != CR {
                        return Err(FramingError::NoCarriageReturn);
                    }
                    let kept = std::mem::take(&mut self.kept);
                    frames.push(if self.size > self.limit {
                        Frame::Oversized { head: kept, size: self.size }
                    } else {
                        Frame::Message(kept)
                    });
                    self.state = State::Between;
                    input = rest;
                }
            }
        }
        Ok(())
    }
}

/// `message` in an MLLP frame.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 3);
    out.push(START);
    out.extend_from_slice(message);
    out.extend_from_slice(&[END, CR]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(limit: usize, chunks: &[&[u8]]) -> (Vec<Frame>, Result<(), FramingError>) {
        let mut d = Deframer::new(limit);
        let mut frames = Vec::new();
        for chunk in chunks {
            if let Err(e) = d.push(chunk, &mut frames) {
                return (frames, Err(e));
            }
        }
        (frames, Ok(()))
    }

    #[test]
    fn frames_split_anywhere_come_out_whole() {
        let stream = [frame(b"MSH|one"), b"\r\n".to_vec(), frame(b"MSH|two")].concat();
        for cut in 0..stream.len() {
            let (a, b) = stream.split_at(cut);
            let (frames, result) = all(100, &[a, b]);
            assert_eq!(result, Ok(()));
            assert_eq!(frames, [Frame::Message(b"MSH|one".to_vec()), Frame::Message(b"MSH|two".to_vec())], "{cut}");
        }
        let mut d = Deframer::new(100);
        d.push(&[START, b'M'], &mut Vec::new()).unwrap();
        assert!(d.in_frame());
    }

    #[test]
    fn oversized_frames_keep_their_head_and_size() {
        let (frames, result) = all(4, &[&frame(b"MSH|too long"), &frame(b"MSH|")]);
        assert_eq!(result, Ok(()));
        assert_eq!(frames, [Frame::Oversized { head: b"MSH|".to_vec(), size: 12 }, Frame::Message(b"MSH|".to_vec())]);
    }

    #[test]
    fn broken_framing_is_an_error() {
        assert_eq!(all(100, &[b"MSH|no frame"]).1, Err(FramingError::OutsideFrame));
        assert_eq!(all(100, &[&[START, b'a', START]]).1, Err(FramingError::StartInsideFrame));
        assert_eq!(all(100, &[&[START, b'a', END, b'\n']]).1, Err(FramingError::NoCarriageReturn));
        let (frames, result) = all(100, &[&frame(b"ok"), b"junk"]);
        assert_eq!((frames.len(), result), (1, Err(FramingError::OutsideFrame)));
    }
}
