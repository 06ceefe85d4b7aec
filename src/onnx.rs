//! `export --format onnx`: a [`Model`] as a standard ONNX model (opset 13), encoded with prost
//! from the official `onnx.proto` (the messages in `onnx/proto.rs` are generated, never
//! written by hand).
//!
//! The graph reads `x`, a float tensor `[N, d]` of raw features (any batch size `N`), and is
//! the network's own walk: `Sub` and `Div` for the standardisation (the core's
//! `(x − mean) / scale`), the lead activations, then per layer a `Gemm` (`transB = 1`: the
//! weights stay `[out][in]`) and its activations (`Sigmoid`, `Tanh`, `Relu`,
//! `LeakyRelu` with alpha 0.01). It has three outputs: `logits` `[N, k]`, `probabilities`
//! (`Softmax` over the classes) and `class` (`ArgMax`, int64, the first class on a tie, as
//! piconas breaks ties). The class names and feature names are metadata (`classes`,
//! `features`, JSON lists).

#[allow(clippy::all, clippy::pedantic, missing_docs)]
mod proto;

use piconas_core::arch::{Activation, LEAKY_SLOPE};
use prost::Message as _;

use crate::layers::Model;
use proto::tensor_proto::DataType;
use proto::tensor_shape_proto::{Dimension, dimension};
use proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto, attribute_proto, type_proto,
};

/// The operator set the graph is written for (every operator in it is in opset 13).
pub const OPSET: i64 = 13;
/// The IR version of opset 13.
const IR_VERSION: i64 = 7;

/// The graph being written: its nodes and constants, and the name of the last value.
struct Graph {
    nodes: Vec<NodeProto>,
    constants: Vec<TensorProto>,
    last: String,
}

impl Graph {
    /// Adds the node `op` on the last value (and `extra` inputs) whose output is `out`.
    fn node(&mut self, op: &str, extra: &[&str], out: String, attributes: Vec<AttributeProto>) {
        let mut input = vec![self.last.clone()];
        input.extend(extra.iter().map(|s| s.to_string()));
        self.nodes.push(NodeProto {
            input,
            output: vec![out.clone()],
            name: Some(out.clone()),
            op_type: Some(op.into()),
            attribute: attributes,
            ..Default::default()
        });
        self.last = out;
    }

    /// A float constant of shape `dims`.
    fn constant(&mut self, name: &str, dims: &[usize], values: &[f32]) {
        self.constants.push(TensorProto {
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(DataType::Float as i32),
            float_data: values.to_vec(),
            name: Some(name.into()),
            ..Default::default()
        });
    }

    /// `activations` applied in order to the last value; `stem` names their outputs.
    fn activations(&mut self, activations: &[Activation], stem: &str) {
        for (i, &a) in activations.iter().enumerate() {
            let (op, attributes) = match a {
                Activation::Sigmoid => ("Sigmoid", vec![]),
                Activation::Tanh => ("Tanh", vec![]),
                Activation::Relu => ("Relu", vec![]),
                Activation::LeakyRelu => ("LeakyRelu", vec![float_attribute("alpha", LEAKY_SLOPE)]),
            };
            self.node(
                op,
                &[],
                format!("{stem}_{i}_{}", op.to_lowercase()),
                attributes,
            );
        }
    }
}

fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(attribute_proto::AttributeType::Int as i32),
        i: Some(value),
        ..Default::default()
    }
}

fn float_attribute(name: &str, value: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(attribute_proto::AttributeType::Float as i32),
        f: Some(value),
        ..Default::default()
    }
}

/// A graph input or output: `name`, of element type `elem`, shape `[N, width]` (or `[N]`).
fn value(name: &str, elem: DataType, width: Option<usize>) -> ValueInfoProto {
    let mut dim = vec![Dimension {
        value: Some(dimension::Value::DimParam("N".into())),
        ..Default::default()
    }];
    if let Some(w) = width {
        dim.push(Dimension {
            value: Some(dimension::Value::DimValue(w as i64)),
            ..Default::default()
        });
    }
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(elem as i32),
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The graph's nodes and constants, from `x` to `logits`, `probabilities` and `class`.
fn graph(model: &Model) -> Graph {
    let mut g = Graph {
        nodes: Vec::new(),
        constants: Vec::new(),
        last: "x".into(),
    };
    let d = model.inputs();
    if let Some(z) = &model.standardize {
        g.constant("mean", &[d], &z.mean);
        g.constant("scale", &[d], &z.scale);
        g.node("Sub", &["mean"], "centred".into(), vec![]);
        g.node("Div", &["scale"], "standardised".into(), vec![]);
    }
    g.activations(&model.lead, "lead");
    // One chain of layers per member from the same inputs; an ensemble's logits are the mean
    // of theirs (Sum, then Div by the count). One member keeps the names of a single network.
    let inputs = g.last.clone();
    let single = model.members.len() == 1;
    let mut outputs = Vec::new();
    for (m, layers) in model.members.iter().enumerate() {
        g.last = inputs.clone();
        let stem = if single {
            String::new()
        } else {
            format!("m{m}_")
        };
        let n = layers.len();
        for (l, layer) in layers.iter().enumerate() {
            let (w, b) = (format!("{stem}w{l}"), format!("{stem}b{l}"));
            g.constant(&w, &[layer.fan_out, layer.fan_in], &layer.weights);
            g.constant(&b, &[layer.fan_out], &layer.bias);
            let out = match (l + 1 == n, single) {
                (true, true) => "logits".into(),
                (true, false) => format!("{stem}logits"),
                (false, _) => format!("{stem}dense{l}"),
            };
            g.node("Gemm", &[&w, &b], out, vec![int_attribute("transB", 1)]);
            g.activations(&layer.then, &format!("{stem}dense{l}"));
        }
        outputs.push(g.last.clone());
    }
    if !single {
        g.last = outputs[0].clone();
        let rest: Vec<&str> = outputs[1..].iter().map(String::as_str).collect();
        g.node("Sum", &rest, "logit_sum".into(), vec![]);
        g.constant("members", &[], &[model.members.len() as f32]);
        g.node("Div", &["members"], "logits".into(), vec![]);
    }
    g.node(
        "Softmax",
        &[],
        "probabilities".into(),
        vec![int_attribute("axis", 1)],
    );
    g.last = "logits".into();
    let argmax = vec![int_attribute("axis", 1), int_attribute("keepdims", 0)];
    g.node("ArgMax", &[], "class".into(), argmax);
    g
}

/// The ONNX model of `model`, encoded.
pub fn encode(model: &Model) -> Vec<u8> {
    let g = graph(model);
    let k = model.classes();
    let meta = |key: &str, value: &[String]| StringStringEntryProto {
        key: Some(key.into()),
        value: Some(serde_json::to_string(value).unwrap_or_default()),
    };
    let onnx = ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(OPSET),
        }],
        producer_name: Some("piconas".into()),
        producer_version: Some(env!("CARGO_PKG_VERSION").into()),
        doc_string: Some(format!(
            "{} found by piconas: {} features, {} classes; validation accuracy \
             {:.1} %, test accuracy {:.1} % (host).",
            model.arch,
            model.inputs(),
            k,
            100.0 * model.dev_accuracy,
            100.0 * model.test_accuracy
        )),
        graph: Some(GraphProto {
            node: g.nodes,
            name: Some("piconas".into()),
            initializer: g.constants,
            input: vec![value("x", DataType::Float, Some(model.inputs()))],
            output: vec![
                value("logits", DataType::Float, Some(k)),
                value("probabilities", DataType::Float, Some(k)),
                value("class", DataType::Int64, None),
            ],
            ..Default::default()
        }),
        metadata_props: vec![
            meta("classes", &model.classes),
            meta("features", &model.features),
        ],
        ..Default::default()
    };
    onnx.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The graph's operators, in node order.
    fn op_types(graph: &GraphProto) -> Vec<&str> {
        graph
            .node
            .iter()
            .map(|n| n.op_type.as_deref().unwrap())
            .collect()
    }

    #[test]
    fn the_graph_is_the_networks_walk() {
        let scaling = crate::data::Scaling {
            mean: vec![1.0, 2.0],
            scale: vec![3.0, 4.0],
        };
        let arch = "[Tanh, 4, LeakyReLU, Sigmoid]";
        let (file, arch) = crate::model::test_file(arch, (2, 3), Some(scaling), |i| i as f32);
        let model = Model::new(&file, arch).unwrap();
        let bytes = encode(&model);
        let back = ModelProto::decode(&bytes[..]).unwrap();
        let graph = back.graph.unwrap();
        let ops = op_types(&graph);
        assert_eq!(
            ops,
            [
                "Sub",
                "Div",
                "Tanh",
                "Gemm",
                "LeakyRelu",
                "Sigmoid",
                "Gemm",
                "Softmax",
                "ArgMax"
            ]
        );
        let gemm = &graph.node[3];
        assert_eq!(gemm.input, ["lead_0_tanh", "w0", "b0"]);
        let w1 = graph
            .initializer
            .iter()
            .find(|t| t.name.as_deref() == Some("w1"))
            .unwrap();
        assert_eq!((w1.dims.clone(), w1.float_data[0]), (vec![3, 4], 12.0));
        assert_eq!(graph.node[6].output, ["logits"]);
        assert_eq!(graph.node[8].input, ["logits"]);
        assert_eq!(
            back.metadata_props[0].value.as_deref(),
            Some(r#"["c0","c1","c2"]"#)
        );
        // Every node is named after its output; every constant is a float tensor.
        for node in &graph.node {
            assert_eq!(node.name.as_ref(), node.output.first(), "{node:?}");
        }
        assert!(
            graph
                .initializer
                .iter()
                .all(|t| t.data_type == Some(DataType::Float as i32))
        );
        // The attributes, each named and typed: Gemm's transB, LeakyReLU's slope, the
        // softmax's and argmax's axis.
        let attributes = |op: &str| -> Vec<(String, i32, Option<i64>, Option<f32>)> {
            let node = graph.node.iter().find(|n| n.op_type.as_deref() == Some(op));
            node.unwrap()
                .attribute
                .iter()
                .map(|a| (a.name.clone().unwrap(), a.r#type.unwrap(), a.i, a.f))
                .collect()
        };
        let int = attribute_proto::AttributeType::Int as i32;
        let float = attribute_proto::AttributeType::Float as i32;
        assert_eq!(attributes("Gemm"), [("transB".into(), int, Some(1), None)]);
        assert_eq!(
            attributes("LeakyRelu"),
            [("alpha".into(), float, None, Some(LEAKY_SLOPE))]
        );
        assert_eq!(attributes("Softmax"), [("axis".into(), int, Some(1), None)]);
        assert_eq!(
            attributes("ArgMax"),
            [
                ("axis".into(), int, Some(1), None),
                ("keepdims".into(), int, Some(0), None)
            ]
        );
    }

    #[test]
    fn the_models_signature_and_producer_are_pinned() {
        let arch = "[Tanh, 4, LeakyReLU, Sigmoid]";
        let (file, arch) = crate::model::test_file(arch, (2, 3), None, |i| i as f32);
        let back = ModelProto::decode(&encode(&Model::new(&file, arch).unwrap())[..]).unwrap();
        let graph = back.graph.unwrap();
        // The graph's inputs and outputs: names, element types and shapes ([N, width]).
        let signature = |values: &[ValueInfoProto]| -> Vec<(String, i32, Vec<String>)> {
            let dims = |t: &type_proto::Tensor| -> Vec<String> {
                let shape = t.shape.as_ref().unwrap();
                let dim = |d: &Dimension| match d.value.as_ref().unwrap() {
                    dimension::Value::DimParam(p) => p.clone(),
                    dimension::Value::DimValue(v) => v.to_string(),
                };
                shape.dim.iter().map(dim).collect()
            };
            let each = |v: &ValueInfoProto| match v.r#type.as_ref().unwrap().value.as_ref() {
                Some(type_proto::Value::TensorType(t)) => {
                    (v.name.clone().unwrap(), t.elem_type.unwrap(), dims(t))
                }
                other => panic!("{other:?}"),
            };
            values.iter().map(each).collect()
        };
        let (f, i64_) = (DataType::Float as i32, DataType::Int64 as i32);
        let shape = |dims: &[&str]| dims.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        assert_eq!(
            signature(&graph.input),
            [("x".into(), f, shape(&["N", "2"]))]
        );
        assert_eq!(
            signature(&graph.output),
            [
                ("logits".into(), f, shape(&["N", "3"])),
                ("probabilities".into(), f, shape(&["N", "3"])),
                ("class".into(), i64_, shape(&["N"])),
            ]
        );
        // Who made it, and what it is.
        assert_eq!(back.producer_name.as_deref(), Some("piconas"));
        assert_eq!(
            back.producer_version.as_deref(),
            Some(env!("CARGO_PKG_VERSION"))
        );
        let doc = back.doc_string.unwrap();
        let about = "[Tanh, 4, LeakyReLU, Sigmoid] found by piconas: 2 features, 3 classes";
        assert!(doc.starts_with(about), "{doc}");
        assert!(doc.ends_with(" % (host)."), "{doc}");
    }

    #[test]
    fn hostile_names_are_json_in_the_metadata_and_read_back_exactly() {
        let (file, arch) = crate::model::test_file("[Tanh]", (2, 3), None, |i| i as f32);
        let mut model = Model::new(&file, arch).unwrap();
        model.classes = ["\"],[\\", "*/ x /*", "multi\nline\u{0}"]
            .map(String::from)
            .into();
        model.features = ["é\"", "??/"].map(String::from).into();
        let back = ModelProto::decode(&encode(&model)[..]).unwrap();
        let read = |i: usize| -> Vec<String> {
            serde_json::from_str(back.metadata_props[i].value.as_deref().unwrap()).unwrap()
        };
        assert_eq!((read(0), read(1)), (model.classes, model.features));
    }

    #[test]
    fn an_ensembles_graph_averages_its_members_logits() {
        let arch: piconas_core::Arch = "[Tanh, 4]".parse().unwrap();
        let (file, arch) =
            crate::model::synthetic(arch, (2, 3), None, 3, |m, i| (10 * m + i) as f32).unwrap();
        let model = Model::new(&file, arch).unwrap();
        let graph = ModelProto::decode(&encode(&model)[..])
            .unwrap()
            .graph
            .unwrap();
        let ops = op_types(&graph);
        assert_eq!(
            ops,
            [
                "Tanh", "Gemm", "Gemm", "Gemm", "Gemm", "Gemm", "Gemm", "Sum", "Div", "Softmax",
                "ArgMax"
            ]
        );
        // Each member's chain starts from the lead's output and ends in its own logits.
        for m in 0..3 {
            let first = &graph.node[1 + 2 * m];
            assert_eq!(
                first.input,
                ["lead_0_tanh", &format!("m{m}_w0"), &format!("m{m}_b0")]
            );
            let w0 = graph
                .initializer
                .iter()
                .find(|t| t.name.as_deref() == Some(&format!("m{m}_w0")))
                .unwrap();
            assert_eq!(w0.float_data[0], (10 * m) as f32);
        }
        assert_eq!(graph.node[7].input, ["m0_logits", "m1_logits", "m2_logits"]);
        assert_eq!(graph.node[8].input, ["logit_sum", "members"]);
        assert_eq!(graph.node[8].output, ["logits"]);
        let count = graph
            .initializer
            .iter()
            .find(|t| t.name.as_deref() == Some("members"));
        assert_eq!(
            count.map(|t| (t.dims.len(), t.float_data[0])),
            Some((0, 3.0))
        );
    }
}
